package dev.bullpen.producer.task;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A submission with an {@code Idempotency-Key} that cannot be answered with a task id, with the status
 * the IETF {@code Idempotency-Key} header draft gives each case. Nothing was published for it.
 */
final class IdempotencyException extends RuntimeException {

    private final HttpStatus status;
    private final String title;

    private IdempotencyException(HttpStatus status, String title, String detail, @Nullable Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.title = title;
    }

    /** 422: the key was first used with another body; answering that request's id would be a lie. */
    static IdempotencyException reused() {
        return new IdempotencyException(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused",
                "this Idempotency-Key was already used with a different request body; send a new key for a "
                        + "different request, or repeat the first request unchanged", null);
    }

    /** 409: the request that claimed the key is still waiting for the broker. */
    static IdempotencyException inProgress() {
        return new IdempotencyException(HttpStatus.CONFLICT, "Request in progress",
                "a request with this Idempotency-Key is still being published; repeat the request shortly "
                        + "to get its task id", null);
    }

    /** 503: the request that claimed the key failed to publish, and gave the key up. */
    static IdempotencyException claimantFailed() {
        return new IdempotencyException(HttpStatus.SERVICE_UNAVAILABLE, "Task not sent",
                "a concurrent request with this Idempotency-Key could not publish its task and released the key; "
                        + "no task id stands for it: repeat the request", null);
    }

    /** 503: without Redis the key cannot be checked, and publishing unprotected could publish twice. */
    static IdempotencyException unavailable(Throwable cause) {
        return new IdempotencyException(HttpStatus.SERVICE_UNAVAILABLE, "Idempotency store unavailable",
                "Redis could not be reached to check the Idempotency-Key, so nothing was published: "
                        + cause.getMessage(), cause);
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }
}
