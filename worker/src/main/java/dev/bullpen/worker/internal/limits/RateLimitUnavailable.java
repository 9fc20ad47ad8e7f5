package dev.bullpen.worker.internal.limits;

import org.jspecify.annotations.Nullable;

/**
 * A rate limit could not be checked, because Redis did not answer. The task is not run: its message
 * goes back to the queue and is tried again, so a limit is never passed silently.
 */
final class RateLimitUnavailable extends RuntimeException {

    RateLimitUnavailable(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
