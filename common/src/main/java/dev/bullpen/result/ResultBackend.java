package dev.bullpen.result;

import java.util.concurrent.CompletableFuture;

/**
 * Where workers store task results and clients read them, keyed by task id.
 *
 * <p>Implementations must pass {@code ResultBackendContract} in the test fixtures.
 */
public interface ResultBackend extends AutoCloseable {

    /**
     * Stores a result and wakes whoever waits on it. A stored SUCCESS is final: a later write for
     * the same id, from a duplicate delivery say, is ignored.
     *
     * @return false when the write was ignored because the task had already succeeded
     */
    boolean store(TaskResult result);

    /** The stored result, or {@link TaskResult#pending} when there is none. */
    TaskResult get(String taskId);

    /**
     * Completes with the result once the task is ready ({@link TaskState#isReady()}), without polling.
     * Completes at once when it is ready already. Cancel the future to stop waiting.
     */
    CompletableFuture<TaskResult> whenReady(String taskId);

    /** Removes the stored result. */
    void forget(String taskId);

    @Override
    void close();
}
