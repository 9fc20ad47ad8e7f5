package dev.bullpen.producer.task;

import dev.bullpen.client.QueueMismatchException;
import dev.bullpen.client.TaskPublishException;
import dev.bullpen.client.UnknownWorkerException;
import dev.bullpen.producer.errors.Problems;
import io.lettuce.core.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 {@code application/problem+json}. Extending Spring's handler covers the
 * framework's own errors (unknown route, wrong method, unsupported media type) whatever
 * {@code spring.mvc.problemdetails.enabled} says; the handlers here add the API's own, built with
 * {@link Problems}.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalidRequest(InvalidTaskRequestException ex) {
        return Problems.of(HttpStatus.BAD_REQUEST, ex.getMessage()).title("Invalid task request").field(ex.field())
                .response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> payloadTooLarge(PayloadTooLargeException ex) {
        return Problems.of(HttpStatus.CONTENT_TOO_LARGE, ex.getMessage()).field("body").response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> brokerUnavailable(TaskPublishException ex) {
        log.warn("Task not sent: {}", ex.getMessage());
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "The task was not sent: " + ex.getMessage())
                .title("Broker unavailable").retryAfter(Problems.RETRY_AFTER_SECONDS).response();
    }

    /** No live worker of the name asked for, by heartbeats or at the broker (no direct queue bound for it). */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> noSuchWorker(NoSuchWorkerException ex) {
        return Problems.of(HttpStatus.NOT_FOUND, ex.getMessage()).title("No such live worker").field(ex.field())
                .property("live_workers", ex.live()).response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unknownWorker(UnknownWorkerException ex) {
        return Problems.of(HttpStatus.NOT_FOUND, "The task was not sent: " + ex.getMessage())
                .title("No such live worker").field("worker").response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> revokeNotBroadcast(RevokeNotBroadcastException ex) {
        log.warn("Revoke not broadcast: {}", ex.getMessage());
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage() + "; revoke again once the broker is back")
                .title("Revoke not broadcast").property("id", ex.taskId()).retryAfter(Problems.RETRY_AFTER_SECONDS)
                .response();
    }

    /** A configuration problem, not an outage: retrying does not help until someone fixes the queue or bullpen.queues. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> queueMismatch(QueueMismatchException ex) {
        log.error("Task not sent: {}", ex.getMessage());
        return Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "The task was not sent: " + ex.getMessage())
                .title("Queue declared with other arguments").property("queue", ex.queue()).response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> idempotency(IdempotencyException ex) {
        if (ex.getCause() != null) {
            log.warn("Idempotent submit refused: {}", ex.getMessage());
        }
        Problems problem = Problems.of(ex.status(), ex.getMessage()).title(ex.title());
        if (ex.status().is5xxServerError()) {
            problem.retryAfter(Problems.RETRY_AFTER_SECONDS);
        } else {
            // 409 and 422: the key is what the caller must look at.
            problem.field(IdempotencyKey.HEADER);
        }
        if (ex.status() == HttpStatus.CONFLICT) {
            problem.retryAfter("1"); // the first request with this key is still running: ask again shortly
        }
        return problem.response();
    }

    /** 409 for a task_id that is taken: retrying the same id cannot help, so no Retry-After. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> taskId(TaskIdException ex) {
        Problems problem = Problems.of(ex.status(), ex.getMessage()).title(ex.title()).field("task_id")
                .property("id", ex.taskId());
        if (ex.status().is5xxServerError()) {
            log.warn("Task with a chosen id not sent: {}", ex.getMessage());
            problem.retryAfter(Problems.RETRY_AFTER_SECONDS);
        }
        if (ex.index() != null) {
            problem.property("index", ex.index());
        }
        return problem.response();
    }

    /** Anything unforeseen is still a problem document, without internals in it; the log has the rest. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(Exception ex) {
        log.error("Request failed", ex);
        return Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "The producer failed to handle the request; see its log")
                .response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> resultBackendUnavailable(RedisException ex) {
        log.warn("Result backend failed: {}", ex.toString());
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "The result backend could not be read: " + ex.getMessage())
                .title("Result backend unavailable").retryAfter(Problems.RETRY_AFTER_SECONDS).response();
    }
}
