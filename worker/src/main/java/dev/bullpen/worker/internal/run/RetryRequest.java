package dev.bullpen.worker.internal.run;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@code TaskContext.retry(...)} and caught by {@link TaskRunner}: unwinds the task the way
 * Celery's {@code Retry} exception does. Carries no stack trace, as it is control flow, not an error.
 */
final class RetryRequest extends RuntimeException {

    private final @Nullable Duration countdown;

    RetryRequest(@Nullable Duration countdown, @Nullable Throwable cause) {
        super(countdown == null ? "Retry" : "Retry in " + countdown.toSeconds() + "s", cause, false, false);
        if (countdown != null && countdown.isNegative()) {
            throw new IllegalArgumentException("a retry countdown must not be negative, got " + countdown);
        }
        this.countdown = countdown;
    }

    /** The requested wait, or {@code null} for the task's {@code retryDelay}. */
    @Nullable Duration countdown() {
        return countdown;
    }
}
