package dev.bullpen.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers a method of a Spring bean as a task, under a name that clients (Java or Python) send.
 *
 * <pre>{@code
 * @Component
 * class Arithmetic {
 *     @Task("demo.add")
 *     int add(int x, int y) {
 *         return x + y;
 *     }
 * }
 * }</pre>
 *
 * <p>Positional args bind to parameters in order and kwargs by parameter name (compile with
 * {@code -parameters}); Jackson converts each JSON value to the parameter's type. A
 * {@link TaskContext} parameter receives the running task. The return value, converted to JSON,
 * is the result; a thrown exception is a FAILURE carrying its type, message and stack trace.
 * A mismatch between the call and the signature is a FAILURE of type {@code TypeError}, as in Python.
 *
 * <p>Retries work as in Celery. With {@link #retryFor()} set, a task that throws one of those
 * exceptions is retried automatically (Celery's {@code autoretry_for}); anywhere in a task,
 * {@code throw context.retry(Duration.ofSeconds(10), ex)} retries it explicitly. A retry is a new
 * message with the same id and {@code retries + 1}, due after the delay; meanwhile the result reads
 * RETRY. Past {@link #maxRetries()} the task is a FAILURE and a copy of its message goes to
 * {@code <queue>.dlq}, from where it can be replayed.
 *
 * <pre>{@code
 * @Task(value = "mail.send", retryFor = IOException.class, maxRetries = 5, backoff = 2, backoffMax = 60)
 * void send(String to) throws IOException { ... }   // retried within 2, 4, 8, 16, 32 s (full jitter)
 * }</pre>
 *
 * <p>Time limits work as in Celery: past {@link #softTimeLimit()} the task's thread is interrupted
 * and it may catch {@link SoftTimeLimitExceeded} to clean up; past {@link #timeLimit()} the task is a
 * FAILURE {@code TimeLimitExceeded} and its slot is freed even if it ignores the interrupt. A call's
 * {@code timelimit} header (Celery's {@code time_limit}/{@code soft_time_limit} options) wins over these.
 *
 * <pre>{@code
 * @Task(value = "reports.build", timeLimit = "30s", softTimeLimit = "25s")
 * }</pre>
 *
 * <p>A {@link #rateLimit()} holds across every worker, not per worker as Celery's does: all workers
 * share one token bucket in Redis, so {@code "10/s"} means ten starts a second in total.
 *
 * <pre>{@code
 * @Task(value = "partner.sync", rateLimit = "10/s")
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Task {

    /** The task name, e.g. {@code "images.resize"}. */
    String value();

    /**
     * Exceptions that retry the task automatically (Celery's {@code autoretry_for}), subclasses
     * included. Empty by default: a thrown exception is a FAILURE at once.
     */
    Class<? extends Throwable>[] retryFor() default {};

    /**
     * How many times the task may be retried (Celery's {@code max_retries}, default 3); negative
     * for no limit. Past it, the task is a FAILURE and its message is dead-lettered.
     */
    int maxRetries() default 3;

    /**
     * Exponential backoff factor in seconds (Celery's {@code retry_backoff}): the n-th automatic
     * retry waits {@code min(backoffMax, backoff * 2^n)} seconds. 0 (the default) means no backoff:
     * every automatic retry waits {@link #retryDelay()}.
     */
    long backoff() default 0;

    /** The longest backoff, in seconds (Celery's {@code retry_backoff_max}, default 600). */
    long backoffMax() default 600;

    /**
     * Full jitter on the backoff (Celery's {@code retry_jitter}, default true): the wait is drawn
     * uniformly from {@code 0..countdown} seconds, so that retries of many tasks spread out.
     */
    boolean jitter() default true;

    /**
     * Seconds to wait before a retry that names no countdown: an explicit
     * {@link TaskContext#retry()} or an automatic retry without backoff (Celery's
     * {@code default_retry_delay}, default 180).
     */
    long retryDelay() default 180;

    /**
     * The hard time limit (Celery's {@code time_limit}), e.g. {@code "30s"}, {@code "2m"},
     * {@code "PT1M30S"}, or a number of seconds such as {@code "90"} or {@code "0.5"}. Empty (the
     * default) for none. Past it the task is a FAILURE {@code TimeLimitExceeded}, its message is
     * acknowledged and its concurrency slot freed, and a result it produces later is dropped.
     */
    String timeLimit() default "";

    /**
     * The soft time limit (Celery's {@code soft_time_limit}), in the same forms as {@link #timeLimit()};
     * empty for none. Past it the task's thread is interrupted and it sees {@link SoftTimeLimitExceeded}.
     */
    String softTimeLimit() default "";

    /**
     * How often the task may start, across all workers together (Celery's {@code rate_limit}, which
     * holds per worker): {@code "100/s"}, {@code "10/m"}, {@code "5/h"}, or a number of tasks per
     * second such as {@code "2.5"}. Empty (the default), or a rate of zero, for none. Tasks over the
     * rate wait for their turn, without holding a concurrency slot, and are never dropped. The
     * setting {@code bullpen.worker.rate-limits[<task>]} overrides it.
     */
    String rateLimit() default "";
}
