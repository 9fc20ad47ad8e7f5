package dev.bullpen.producer.workflow;

import dev.bullpen.producer.errors.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A refused workflow as RFC 9457 problem+json, naming the path to the fault. First in line, and for
 * this controller only, so the application's catch-all handler does not answer 500 instead; every
 * other error goes on to it.
 */
@RestControllerAdvice(assignableTypes = WorkflowController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class WorkflowProblems {

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalidWorkflow(InvalidWorkflowException ex) {
        return Problems.of(HttpStatus.BAD_REQUEST, ex.getMessage()).title("Invalid workflow").field(ex.field()).response();
    }

    /** Redis did not take or give a pool map's record (its tasks may have been sent before). */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> redisUnavailable(DataAccessException ex) {
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Redis is unreachable: " + ex.getMostSpecificCause().getMessage())
                .title("Result backend unavailable").retryAfter(Problems.RETRY_AFTER_SECONDS).response();
    }

    /** A shape the canvas cannot send, e.g. a group followed by a group in a chain. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unsupportedShape(IllegalArgumentException ex) {
        return invalidWorkflow(new InvalidWorkflowException("body", String.valueOf(ex.getMessage())));
    }
}
