package dev.bullpen.client;

import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * A sent {@link PoolMap}: its results in input order (one per input, also for chunks), its
 * progress, and a failure named by the input's index. It is a saved Celery group underneath
 * ({@link #id()}), so Python's {@code GroupResult.restore(id)} reads it too (one result per chunk).
 *
 * <pre>{@code
 * MapHandle m = client.apply(Workflow.chunks("demo.add", List.of(List.of(1, 2), List.of(3, 4), List.of(5, 6)), 2));
 * List<JsonNode> sums = m.get(Duration.ofSeconds(30)); // [3, 7, 11]
 * }</pre>
 */
public final class MapHandle {

    /**
     * The field a Bullpen worker adds to a failed {@code celery.starmap}'s stored exception: the
     * position, in the chunk, of the tuple that raised. Python ignores unknown fields there.
     */
    public static final String ITEM_INDEX = "item_index";

    private final String id;
    private final PoolMap map;
    private final List<TaskHandle> tasks;
    private final ResultBackend results;

    MapHandle(String id, List<String> taskIds, PoolMap map, ResultBackend results) {
        if (taskIds.size() != map.tasks()) {
            throw new IllegalArgumentException("group " + id + " has " + taskIds.size() + " tasks, but a " + map.kind()
                    + " of " + map.size() + " inputs in chunks of " + map.chunkSize() + " sends " + map.tasks());
        }
        this.id = id;
        this.map = map;
        this.results = results;
        this.tasks = taskIds.stream().map(t -> new TaskHandle(t, results)).toList();
    }

    /** The group's id. */
    public String id() {
        return id;
    }

    /** What was sent. */
    public PoolMap map() {
        return map;
    }

    /** Its tasks in input order: one per input, or one per chunk. */
    public List<TaskHandle> tasks() {
        return tasks;
    }

    /** Progress, results and failures now. */
    public MapSnapshot snapshot() {
        return snapshot(results.getAll(tasks.stream().map(TaskHandle::id).toList()));
    }

    /** How many inputs are done and failed now (a chunk's inputs count together). */
    public GroupProgress progress() {
        return snapshot().progress();
    }

    /** The failed inputs now, by index. */
    public List<MapFailure> failures() {
        return snapshot().failures();
    }

    /**
     * Waits for every input's result and returns them in input order. Fails as soon as one task
     * fails (the others still run): with the lowest failed index known by then.
     *
     * @throws MapFailedException naming the failed input's index, the input and the remote error
     * @throws TaskTimeoutException when not all are ready in time
     */
    public List<JsonNode> get(Duration timeout) {
        List<CompletableFuture<TaskResult>> ready = new ArrayList<>(tasks.size());
        CompletableFuture<Void> failed = new CompletableFuture<>();
        for (TaskHandle task : tasks) {
            CompletableFuture<TaskResult> f = task.whenReady();
            f.thenAccept(r -> {
                if (r.state().propagates()) {
                    failed.complete(null);
                }
            });
            ready.add(f);
        }
        try {
            CompletableFuture.anyOf(CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)), failed)
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            ready.forEach(f -> f.cancel(false));
            GroupProgress now = progress();
            throw new TaskTimeoutException("map " + id + " not ready after " + timeout + " (" + now.done() + " of "
                    + now.total() + " inputs done)");
        } catch (InterruptedException ex) {
            ready.forEach(f -> f.cancel(false));
            Thread.currentThread().interrupt();
            throw new BullpenException("interrupted while waiting for map " + id, ex);
        } catch (ExecutionException ex) {
            ready.forEach(f -> f.cancel(false));
            throw new BullpenException("could not read the results of map " + id, ex.getCause());
        }
        List<TaskResult> now = new ArrayList<>(tasks.size());
        for (int i = 0; i < ready.size(); i++) {
            CompletableFuture<TaskResult> f = ready.get(i);
            now.add(f.isDone() && !f.isCompletedExceptionally() ? f.join() : TaskResult.pending(tasks.get(i).id()));
        }
        MapSnapshot snapshot = snapshot(now);
        if (!snapshot.failures().isEmpty()) {
            ready.forEach(f -> f.cancel(false)); // stop waiting; the tasks themselves run on
            throw new MapFailedException(snapshot.failures().getFirst());
        }
        return snapshot.values();
    }

    private MapSnapshot snapshot(List<TaskResult> taskResults) {
        int size = map.size();
        List<JsonNode> values = new ArrayList<>(Collections.nCopies(size, NullNode.getInstance()));
        List<MapFailure> failures = new ArrayList<>();
        int done = 0;
        int failed = 0;
        boolean chunks = map.kind() == PoolMap.Kind.CHUNKS;
        for (int t = 0; t < taskResults.size(); t++) {
            TaskResult result = taskResults.get(t);
            int start = chunks ? Chunking.start(t, map.chunkSize()) : t;
            int length = chunks ? Chunking.length(t, size, map.chunkSize()) : 1;
            if (!result.state().isReady()) {
                continue;
            }
            done += length;
            if (result.state().propagates()) {
                failed += length;
                failures.add(failure(result, start, length, chunks));
            } else if (!chunks) {
                values.set(start, result.result());
            } else {
                JsonNode list = result.result();
                for (int k = 0; k < length && k < list.size(); k++) {
                    values.set(start + k, list.get(k));
                }
            }
        }
        failures.sort(Comparator.comparingInt(MapFailure::index));
        return new MapSnapshot(new GroupProgress(size, done, failed), values, failures);
    }

    /** A chunk's worker names the failed tuple in {@code item_index} (Bullpen's; Python's worker does not). */
    private MapFailure failure(TaskResult result, int start, int length, boolean chunks) {
        RemoteError error = result.error().orElse(new RemoteError(result.state().name(), null, List.of(), result.traceback()));
        int index = start;
        JsonNode item = map.item(start);
        if (chunks) {
            JsonNode within = result.result().path(ITEM_INDEX);
            if (within.isInt() && within.asInt() >= 0 && within.asInt() < length) {
                index = start + within.asInt();
                item = map.item(index);
            } else {
                item = null;
            }
        }
        return new MapFailure(index, item, result.taskId(), result.state(), error);
    }

    @Override
    public String toString() {
        return "MapHandle[" + id + ", " + map.kind() + " of " + map.size() + " inputs in " + tasks.size() + " tasks]";
    }
}
