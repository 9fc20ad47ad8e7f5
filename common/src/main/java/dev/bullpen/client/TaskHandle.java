package dev.bullpen.client;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * A sent task, by id: Celery's {@code AsyncResult}. Cheap to create; holds no resources.
 *
 * <pre>{@code
 * int sum = client.send("demo.add", List.of(2, 3)).get(Duration.ofSeconds(10), Integer.class);
 * }</pre>
 */
public final class TaskHandle {

    private final String id;
    private final ResultBackend results;

    TaskHandle(String id, ResultBackend results) {
        this.id = id;
        this.results = results;
    }

    public String id() {
        return id;
    }

    /** The state now; PENDING when the backend knows nothing of the task yet. */
    public TaskState state() {
        return results.get(id).state();
    }

    /** The stored result now, whatever its state. */
    public TaskResult result() {
        return results.get(id);
    }

    /**
     * Waits for the task to finish and returns its value.
     *
     * @throws TaskFailedException on FAILURE or REVOKED, with the remote type, message and traceback
     * @throws TaskTimeoutException when it is not ready in time
     */
    public JsonNode get(Duration timeout) {
        CompletableFuture<TaskResult> ready = results.whenReady(id);
        try {
            return valueOf(ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException ex) {
            ready.cancel(false);
            throw new TaskTimeoutException("task " + id + " not ready after " + timeout + " (state " + state() + ")");
        } catch (InterruptedException ex) {
            ready.cancel(false);
            Thread.currentThread().interrupt();
            throw new BullpenException("interrupted while waiting for task " + id, ex);
        } catch (ExecutionException ex) {
            throw new BullpenException("could not read the result of task " + id, ex.getCause());
        } catch (CancellationException ex) {
            // The backend gave up the wait, e.g. because it was closed.
            throw new BullpenException("stopped waiting for task " + id + ": " + ex.getMessage(), ex);
        }
    }

    /** Like {@link #get(Duration)}, converting the value to {@code type} with Jackson. */
    public <T> T get(Duration timeout, Class<T> type) {
        return CeleryJson.mapper().treeToValue(get(timeout), type);
    }

    /**
     * Completes with the value when the task succeeds, exceptionally with {@link TaskFailedException}
     * otherwise. Cancelling it stops the wait in the backend too.
     */
    public CompletableFuture<JsonNode> toFuture() {
        CompletableFuture<TaskResult> ready = results.whenReady(id);
        CompletableFuture<JsonNode> value = ready.thenApply(TaskHandle::valueOf);
        value.whenComplete((v, e) -> {
            if (value.isCancelled()) {
                ready.cancel(false);
            }
        });
        return value;
    }

    /** Completes with the final result, whatever the state. */
    public CompletableFuture<TaskResult> whenReady() {
        return results.whenReady(id);
    }

    static JsonNode valueOf(TaskResult result) {
        if (result.state().propagates()) {
            RemoteError error = result.error().orElse(new RemoteError(result.state().name(), null, List.of(), null));
            throw new TaskFailedException(result.taskId(), result.state(), error);
        }
        return result.result();
    }

    @Override
    public String toString() {
        return "TaskHandle[" + id + "]";
    }
}
