package dev.bullpen.client;

import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One task sent once to each of several workers ({@link TaskControl#broadcast}), with a result per
 * worker. Each copy has its own task id, {@code <broadcast id>:<worker>}, and the ids are saved as a
 * Celery group under the broadcast's id, so {@link TaskControl#broadcast(String)} (and Python's
 * {@code GroupResult.restore(id)}) find them again.
 *
 * <pre>{@code
 * BroadcastHandle warm = client.control().broadcast("cache.warm", List.of("prices"));
 * Map<String, TaskResult> byWorker = warm.await(Duration.ofSeconds(30)); // {"bullpen@host-1": SUCCESS ..., ...}
 * }</pre>
 */
public final class BroadcastHandle {

    private final String id;
    private final SortedMap<String, TaskHandle> handles;
    private final SortedMap<String, TaskPublishException> failures;
    private final ResultBackend results;

    BroadcastHandle(String id, Map<String, TaskHandle> handles, Map<String, TaskPublishException> failures,
            ResultBackend results) {
        this.id = id;
        this.handles = Collections.unmodifiableSortedMap(new TreeMap<>(handles));
        this.failures = Collections.unmodifiableSortedMap(new TreeMap<>(failures));
        this.results = results;
    }

    /** The task id of the copy for {@code worker}. */
    public static String taskId(String broadcastId, String worker) {
        return broadcastId + ":" + worker;
    }

    /** The worker a copy's task id is for, or null when it is no broadcast copy of {@code broadcastId}. */
    static @Nullable String workerOf(String broadcastId, String taskId) {
        String prefix = broadcastId + ":";
        return taskId.startsWith(prefix) && taskId.length() > prefix.length() ? taskId.substring(prefix.length()) : null;
    }

    /** The broadcast's id, the group id its copies are saved under. */
    public String id() {
        return id;
    }

    /** The copies the broker took, by worker name, sorted. */
    public SortedMap<String, TaskHandle> handles() {
        return handles;
    }

    /** The workers whose copy could not be sent, and why (e.g. a worker without a direct queue). */
    public SortedMap<String, TaskPublishException> failures() {
        return failures;
    }

    /** Each sent copy's stored result now (PENDING for those not stored yet), by worker. */
    public SortedMap<String, TaskResult> results() {
        List<String> workers = new ArrayList<>(handles.keySet());
        List<TaskResult> now = results.getAll(workers.stream().map(w -> Objects.requireNonNull(handles.get(w)).id()).toList());
        SortedMap<String, TaskResult> byWorker = new TreeMap<>();
        for (int i = 0; i < workers.size(); i++) {
            byWorker.put(workers.get(i), now.get(i));
        }
        return byWorker;
    }

    /**
     * Waits until every sent copy is done (SUCCESS, FAILURE or REVOKED) or the time is up, and
     * returns each one's result then, by worker; a copy still running reads as it is, a failed
     * one as its FAILURE. Never throws for a copy's failure: each worker's outcome is its own.
     */
    public SortedMap<String, TaskResult> await(Duration timeout) {
        Map<String, CompletableFuture<TaskResult>> ready = new LinkedHashMap<>();
        handles.forEach((worker, handle) -> ready.put(worker, handle.whenReady()));
        try {
            CompletableFuture.allOf(ready.values().toArray(CompletableFuture[]::new))
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            // The rest are read below as they are now.
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new BullpenException("interrupted while waiting for broadcast " + id, ex);
        } catch (ExecutionException ex) {
            throw new BullpenException("could not read the results of broadcast " + id, ex.getCause());
        } finally {
            ready.values().forEach(f -> f.cancel(false));
        }
        return results();
    }

    @Override
    public String toString() {
        return "BroadcastHandle[" + id + ", sent to " + handles.keySet() + (failures.isEmpty() ? "" : ", not to "
                + failures.keySet()) + "]";
    }
}
