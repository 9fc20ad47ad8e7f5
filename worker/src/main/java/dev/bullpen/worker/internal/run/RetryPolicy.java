package dev.bullpen.worker.internal.run;

import dev.bullpen.worker.Task;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * When and how soon a task is retried: Celery's {@code autoretry_for}, {@code max_retries},
 * {@code retry_backoff}, {@code retry_backoff_max}, {@code retry_jitter} and
 * {@code default_retry_delay}, with Celery's own maths so that Java and Python tasks back off alike.
 *
 * <p>Not Spring's {@code ExponentialBackOff}: its jitter spreads around the interval and its
 * executions are stateful, while a retry must be computed from nothing but the message's
 * {@code retries} count, and Celery draws the whole wait uniformly from {@code 0..countdown}
 * ("full jitter", {@code celery.utils.time.get_exponential_backoff_interval}).
 *
 * @param retryFor exceptions that retry the task automatically; empty for none
 * @param maxRetries how many retries are allowed; negative for no limit
 * @param backoff the exponential backoff factor in seconds; 0 for none
 * @param backoffMax the longest backoff in seconds
 * @param jitter whether the backoff is drawn uniformly from {@code 0..countdown}
 * @param retryDelay seconds before a retry that names no countdown
 */
public record RetryPolicy(List<Class<? extends Throwable>> retryFor, int maxRetries, long backoff, long backoffMax,
        boolean jitter, long retryDelay) {

    /** Celery's defaults: no automatic retries, 3 explicit ones 180 s apart. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(List.of(), 3, 0, 600, true, 180);

    public RetryPolicy {
        retryFor = List.copyOf(retryFor);
        if (backoff < 0 || backoffMax < 0 || retryDelay < 0) {
            throw new IllegalArgumentException("backoff, backoffMax and retryDelay must not be negative, got "
                    + backoff + ", " + backoffMax + " and " + retryDelay);
        }
    }

    /** The policy a {@link Task} annotation declares; {@link #DEFAULT} without one. */
    public static RetryPolicy of(@Nullable Task task) {
        if (task == null) {
            return DEFAULT;
        }
        return new RetryPolicy(List.of(task.retryFor()), task.maxRetries(), task.backoff(), task.backoffMax(),
                task.jitter(), task.retryDelay());
    }

    /** Whether {@code error} retries the task automatically. */
    public boolean retriesOn(Throwable error) {
        return retryFor.stream().anyMatch(type -> type.isInstance(error));
    }

    /**
     * Whether an attempt that had already been retried {@code retries} times may retry once more
     * (Celery: {@code request.retries + 1 > max_retries} fails).
     */
    public boolean mayRetry(int retries) {
        return maxRetries < 0 || retries < maxRetries; // retries + 1 would wrap at Integer.MAX_VALUE
    }

    /** The wait before an automatic retry of an attempt that had been retried {@code retries} times. */
    public Duration nextDelay(int retries, RandomGenerator random) {
        if (backoff == 0) {
            return Duration.ofSeconds(retryDelay);
        }
        return Duration.ofSeconds(exponentialBackoff(backoff, retries, backoffMax, jitter, random));
    }

    /**
     * Celery's {@code get_exponential_backoff_interval}: {@code min(maximum, factor * 2^retries)},
     * then with full jitter {@code randrange(countdown + 1)}; never negative, never overflowing.
     */
    static long exponentialBackoff(long factor, int retries, long maximum, boolean fullJitter, RandomGenerator random) {
        long countdown;
        if (retries < 0) {
            countdown = Math.min(maximum, factor);
        } else if (retries >= Long.SIZE - 1 || factor > (maximum >> retries)) {
            countdown = maximum; // factor * 2^retries is past the cap (or past a long)
        } else {
            countdown = Math.min(maximum, factor << retries);
        }
        if (fullJitter) {
            countdown = random.nextLong(countdown + 1);
        }
        return Math.max(0, countdown);
    }
}
