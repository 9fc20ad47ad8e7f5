package dev.bullpen.producer.task;

import dev.bullpen.client.QueueMismatchException;
import dev.bullpen.client.TaskPublishException;
import dev.bullpen.client.UnknownWorkerException;
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
 * {@code spring.mvc.problemdetails.enabled} says; the handlers here add the API's own.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    /** A hint for clients and proxies; the publisher reconnects on the next request by itself. */
    private static final String RETRY_AFTER_SECONDS = "5";

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalidRequest(InvalidTaskRequestException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setTitle("Invalid task request");
        problem.setProperty("field", ex.field());
        return ResponseEntity.badRequest().body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> payloadTooLarge(PayloadTooLargeException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, ex.getMessage());
        problem.setProperty("field", "body");
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> brokerUnavailable(TaskPublishException ex) {
        log.warn("Task not sent: {}", ex.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The task was not sent: " + ex.getMessage());
        problem.setTitle("Broker unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", RETRY_AFTER_SECONDS)
                .body(problem);
    }

    /** No live worker of the name asked for, by heartbeats or at the broker (no direct queue bound for it). */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> noSuchWorker(NoSuchWorkerException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
        problem.setTitle("No such live worker");
        problem.setProperty("field", ex.field());
        problem.setProperty("live_workers", ex.live());
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unknownWorker(UnknownWorkerException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "The task was not sent: "
                + ex.getMessage());
        problem.setTitle("No such live worker");
        problem.setProperty("field", "worker");
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> revokeNotBroadcast(RevokeNotBroadcastException ex) {
        log.warn("Revoke not broadcast: {}", ex.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage()
                + "; revoke again once the broker is back");
        problem.setTitle("Revoke not broadcast");
        problem.setProperty("id", ex.taskId());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", RETRY_AFTER_SECONDS)
                .body(problem);
    }

    /** A configuration problem, not an outage: retrying does not help until someone fixes the queue or bullpen.queues. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> queueMismatch(QueueMismatchException ex) {
        log.error("Task not sent: {}", ex.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The task was not sent: " + ex.getMessage());
        problem.setTitle("Queue declared with other arguments");
        problem.setProperty("queue", ex.queue());
        return ResponseEntity.internalServerError().body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> idempotency(IdempotencyException ex) {
        if (ex.getCause() != null) {
            log.warn("Idempotent submit refused: {}", ex.getMessage());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
        problem.setTitle(ex.title());
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(ex.status());
        if (ex.status().is5xxServerError()) {
            answer.header("Retry-After", RETRY_AFTER_SECONDS);
        } else {
            // 409 and 422: the key is what the caller must look at.
            problem.setProperty("field", IdempotencyKey.HEADER);
        }
        if (ex.status() == HttpStatus.CONFLICT) {
            answer.header("Retry-After", "1");
        }
        return answer.body(problem);
    }

    /** 409 for a task_id that is taken: retrying the same id cannot help, so no Retry-After. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> taskId(TaskIdException ex) {
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(ex.status());
        if (ex.status().is5xxServerError()) {
            log.warn("Task with a chosen id not sent: {}", ex.getMessage());
            answer.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
        problem.setTitle(ex.title());
        problem.setProperty("field", "task_id");
        problem.setProperty("id", ex.taskId());
        if (ex.index() != null) {
            problem.setProperty("index", ex.index());
        }
        return answer.body(problem);
    }

    /** Anything unforeseen is still a problem document, without internals in it; the log has the rest. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(Exception ex) {
        log.error("Request failed", ex);
        return ResponseEntity.internalServerError().body(ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The producer failed to handle the request; see its log"));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> resultBackendUnavailable(RedisException ex) {
        log.warn("Result backend failed: {}", ex.toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The result backend could not be read: " + ex.getMessage());
        problem.setTitle("Result backend unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", RETRY_AFTER_SECONDS)
                .body(problem);
    }
}
