package dev.bullpen.worker;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A task's soft time limit has passed (Celery's {@code celery.exceptions.SoftTimeLimitExceeded}).
 * When the soft limit passes, the worker interrupts the task's thread, so that a task blocked in a
 * sleep, a lock or interruptible I/O wakes up; {@link TaskContext#withinSoftTimeLimit} and
 * {@link TaskContext#checkSoftTimeLimit} turn that into this exception, which the task may catch to
 * clean up and still return a value. Uncaught, the task is a FAILURE of type
 * {@code SoftTimeLimitExceeded}, as in Celery.
 */
public final class SoftTimeLimitExceeded extends RuntimeException {

    private final Duration limit;

    /**
     * @param limit the soft time limit that passed
     * @param cause the interruption that woke the task, if any
     */
    public SoftTimeLimitExceeded(Duration limit, @Nullable Throwable cause) {
        super("soft time limit (" + seconds(limit) + "s) exceeded", cause);
        this.limit = limit;
    }

    /** The soft time limit that passed. */
    public Duration limit() {
        return limit;
    }

    private static String seconds(Duration limit) {
        return java.math.BigDecimal.valueOf(limit.toNanos(), 9).stripTrailingZeros().toPlainString();
    }
}
