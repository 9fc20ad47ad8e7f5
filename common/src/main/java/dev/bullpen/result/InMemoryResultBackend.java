package dev.bullpen.result;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Results held in this JVM only: for tests and single-process use. Never expires. */
public final class InMemoryResultBackend implements ResultBackend {

    private final Map<String, TaskResult> results = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<TaskResult>> ready = new ConcurrentHashMap<>();

    @Override
    public boolean store(TaskResult result) {
        boolean[] written = {false};
        results.compute(result.taskId(), (id, current) -> {
            if (current != null && current.state() == TaskState.SUCCESS) {
                return current;
            }
            written[0] = true;
            return result;
        });
        if (written[0] && result.state().isReady()) {
            signal(result.taskId()).complete(result);
        }
        return written[0];
    }

    @Override
    public TaskResult get(String taskId) {
        return results.getOrDefault(taskId, TaskResult.pending(taskId));
    }

    @Override
    public CompletableFuture<TaskResult> whenReady(String taskId) {
        TaskResult current = get(taskId);
        if (current.state().isReady()) {
            return CompletableFuture.completedFuture(current);
        }
        // A copy, so that one caller cancelling does not cancel the others.
        return signal(taskId).copy();
    }

    @Override
    public void forget(String taskId) {
        results.remove(taskId);
        // Drop only a fired signal: an unfired one still has waiters, who wait for the next result.
        ready.computeIfPresent(taskId, (id, signal) -> signal.isDone() ? null : signal);
    }

    @Override
    public void close() {
    }

    private CompletableFuture<TaskResult> signal(String taskId) {
        return ready.computeIfAbsent(taskId, id -> new CompletableFuture<>());
    }
}
