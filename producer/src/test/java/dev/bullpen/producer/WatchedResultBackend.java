package dev.bullpen.producer;

import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.test.ForwardingResultBackend;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real result backend, plus a record of which ids someone has started waiting for, so that a
 * test can store a result only once a long-poll is really waiting, without sleeping.
 */
final class WatchedResultBackend extends ForwardingResultBackend {

    private final Set<String> waitedFor = ConcurrentHashMap.newKeySet();

    WatchedResultBackend(ResultBackend delegate) {
        super(delegate);
    }

    boolean isWaitedFor(String taskId) {
        return waitedFor.contains(taskId);
    }

    @Override
    public CompletableFuture<TaskResult> whenReady(String taskId) {
        CompletableFuture<TaskResult> ready = delegate.whenReady(taskId);
        // Recorded after the delegate has registered the waiter, so a result stored now is seen.
        waitedFor.add(taskId);
        return ready;
    }
}
