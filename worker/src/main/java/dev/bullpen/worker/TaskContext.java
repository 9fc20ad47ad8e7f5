package dev.bullpen.worker;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The running task, Celery's {@code self.request}: declare a parameter of this type on a
 * {@link Task} method to receive it.
 */
public interface TaskContext {

    /** The task id. */
    String id();

    /** The task name. */
    String task();

    /** How many times this task has been retried before this attempt. */
    int retries();

    /** The queue the task was taken from. */
    String queue();

    /** The first task of the workflow (the task itself when it was sent directly). */
    @Nullable String rootId();

    /** The task that sent this one, if any. */
    @Nullable String parentId();

    /** The group this task belongs to, if any. */
    @Nullable String groupId();

    /** Do not run before this instant, if set. */
    @Nullable OffsetDateTime eta();

    /** Do not run after this instant, if set. */
    @Nullable OffsetDateTime expires();

    /** All message headers, including ones the caller added. */
    Map<String, @Nullable Object> headers();

    /** The raw positional arguments. */
    ArrayNode args();

    /** The raw keyword arguments. */
    ObjectNode kwargs();

    /** The name of this worker, e.g. {@code bullpen@host}. */
    String workerName();

    /**
     * Retries the task after {@link Task#retryDelay()} (Celery's {@code self.retry()}). Always
     * throws; write {@code throw context.retry()} so the compiler knows the method ends there. Do not
     * catch what it throws. Past {@link Task#maxRetries()} the task fails with
     * {@code MaxRetriesExceededError}.
     */
    RuntimeException retry();

    /**
     * Retries the task after {@code countdown}.
     *
     * @see #retry()
     */
    RuntimeException retry(Duration countdown);

    /**
     * Retries the task after {@code countdown} because of {@code cause}, which the RETRY state shows;
     * past {@link Task#maxRetries()} the task fails with {@code cause} itself, as in Celery.
     *
     * @see #retry()
     */
    RuntimeException retry(Duration countdown, Throwable cause);

    /**
     * Runs blocking work under the task's soft time limit: when the limit passes, the worker
     * interrupts the thread, and the interruption the work ends with ({@link InterruptedException},
     * an interrupted I/O) comes out of here as {@link SoftTimeLimitExceeded}, with the thread's
     * interrupt status cleared so that the task can clean up. Any other outcome passes through.
     *
     * <pre>{@code
     * try {
     *     return context.withinSoftTimeLimit(() -> crawl(site));
     * } catch (SoftTimeLimitExceeded ex) {
     *     return partialResults();
     * }
     * }</pre>
     */
    <T> T withinSoftTimeLimit(Callable<T> work) throws Exception;

    /**
     * Throws {@link SoftTimeLimitExceeded} if the task's soft time limit has passed (clearing the
     * interrupt that announced it); for tasks that compute rather than block, to call now and then.
     */
    void checkSoftTimeLimit();
}
