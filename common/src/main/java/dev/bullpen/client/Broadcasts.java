package dev.bullpen.client;

import dev.bullpen.result.ResultBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Sends one task to each of several workers' direct queues, for {@link TaskControl#broadcast}. */
final class Broadcasts {

    private final TaskClient client;
    private final ResultBackend results;
    private final WorkerPing ping;
    private final Duration confirmTimeout;

    Broadcasts(TaskClient client, ResultBackend results, WorkerPing ping, Duration confirmTimeout) {
        this.client = client;
        this.results = results;
        this.ping = ping;
        this.confirmTimeout = confirmTimeout;
    }

    List<String> liveWorkers(Duration timeout, @Nullable String pattern) {
        return ping.ping(timeout, pattern);
    }

    BroadcastHandle send(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options, Collection<String> workers) {
        if (options.taskId() != null || options.worker() != null || options.queue() != null) {
            throw new IllegalArgumentException("a broadcast picks each copy's worker and task id itself: give no queue, "
                    + "worker or task id in its options");
        }
        String id = UUID.randomUUID().toString();
        Map<String, CompletableFuture<TaskHandle>> sent = new TreeMap<>();
        for (String worker : new TreeSet<>(workers)) {
            sent.put(worker, client.sendAsync(task, args, kwargs, options.worker(worker).taskId(BroadcastHandle.taskId(id, worker))));
        }
        Map<String, TaskHandle> handles = new TreeMap<>();
        Map<String, TaskPublishException> failures = new TreeMap<>();
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        sent.forEach((worker, future) -> {
            try {
                handles.put(worker, future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException ex) {
                failures.put(worker, new TaskPublishException("the broker did not confirm the copy for " + worker
                        + " within " + confirmTimeout + "; it may or may not have been queued"));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new TaskPublishException("interrupted while waiting for the broker's confirms", ex);
            } catch (ExecutionException | CompletionException ex) {
                failures.put(worker, ex.getCause() instanceof TaskPublishException publish ? publish
                        : new TaskPublishException("could not send the copy for " + worker, ex.getCause()));
            }
        });
        if (!handles.isEmpty()) {
            try {
                results.saveGroup(id, handles.values().stream().map(TaskHandle::id).toList());
            } catch (UnsupportedOperationException ignored) {
                // A backend without groups: the handle still has the copies; only broadcast(id) cannot find them.
            }
        }
        return new BroadcastHandle(id, handles, failures, results);
    }

    Optional<BroadcastHandle> restore(String broadcastId) {
        return results.group(broadcastId).map(ids -> {
            Map<String, TaskHandle> handles = new TreeMap<>();
            List<String> foreign = new ArrayList<>();
            for (String taskId : ids) {
                String worker = BroadcastHandle.workerOf(broadcastId, taskId);
                if (worker == null) {
                    foreign.add(taskId);
                } else {
                    handles.put(worker, client.handle(taskId));
                }
            }
            if (!foreign.isEmpty()) {
                throw new IllegalArgumentException(broadcastId + " is a group, not a broadcast");
            }
            return new BroadcastHandle(broadcastId, handles, Map.of(), results);
        });
    }
}
