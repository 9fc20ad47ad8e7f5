package dev.bullpen.client;

import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * A sent group, by id: Celery's {@code GroupResult}. Its member ids are saved as Celery saves them
 * ({@code celery-taskset-meta-<id>}), so Python's {@code GroupResult.restore(id)} reads it too.
 *
 * <pre>{@code
 * GroupHandle g = client.apply(Workflow.group(task("demo.add", 1, 1), task("demo.add", 2, 2)));
 * List<JsonNode> sums = g.get(Duration.ofSeconds(30)); // [2, 4], in member order
 * }</pre>
 */
public final class GroupHandle {

    private final String id;
    private final List<TaskHandle> members;
    private final ResultBackend results;

    GroupHandle(String id, List<String> memberIds, ResultBackend results) {
        this.id = id;
        this.results = results;
        this.members = memberIds.stream().map(m -> new TaskHandle(m, results)).toList();
    }

    public String id() {
        return id;
    }

    /** The members, in order; a chain member is its last task. */
    public List<TaskHandle> members() {
        return members;
    }

    /** The members' stored results now, in order (PENDING for those not stored yet). */
    public List<TaskResult> results() {
        return results.getAll(members.stream().map(TaskHandle::id).toList());
    }

    /** How many members are done and how many failed, now. */
    public GroupProgress progress() {
        int done = 0;
        int failed = 0;
        for (TaskResult result : results()) {
            if (result.state().isReady()) {
                done++;
                if (result.state().propagates()) {
                    failed++;
                }
            }
        }
        return new GroupProgress(members.size(), done, failed);
    }

    /**
     * Waits for every member and returns their values in member order.
     *
     * @throws TaskFailedException for the first member, in order, that failed
     * @throws TaskTimeoutException when not all are ready in time
     */
    public List<JsonNode> get(Duration timeout) {
        List<CompletableFuture<TaskResult>> ready = new ArrayList<>(members.size());
        members.forEach(m -> ready.add(m.whenReady()));
        try {
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            ready.forEach(f -> f.cancel(false));
            GroupProgress now = progress();
            throw new TaskTimeoutException("group " + id + " not ready after " + timeout + " (" + now.done() + " of "
                    + now.total() + " done)");
        } catch (InterruptedException ex) {
            ready.forEach(f -> f.cancel(false));
            Thread.currentThread().interrupt();
            throw new BullpenException("interrupted while waiting for group " + id, ex);
        } catch (ExecutionException ex) {
            throw new BullpenException("could not read the results of group " + id, ex.getCause());
        }
        List<JsonNode> values = new ArrayList<>(members.size());
        for (CompletableFuture<TaskResult> f : ready) {
            values.add(TaskHandle.valueOf(f.join()));
        }
        return values;
    }

    @Override
    public String toString() {
        return "GroupHandle[" + id + ", " + members.size() + " members]";
    }
}
