package dev.bullpen.worker.internal.run;

import dev.bullpen.client.MapHandle;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A built-in pool task ({@code celery.map}, {@code celery.starmap}) failed: it stores the error of
 * the item that raised, as Celery's worker does, so Python sees the same exception, plus the item's
 * position in {@link MapHandle#ITEM_INDEX}. Carries no cause, so that the run's soft time limit
 * handling does not take it for an interruption a second time.
 */
final class ItemFailed extends RuntimeException {

    private final RemoteError error;
    private final @Nullable Integer index;

    /** @param index the failed item's position in the task's list, or {@code null} when no item ran */
    ItemFailed(RemoteError error, @Nullable Integer index) {
        super(error.type() + (index == null ? "" : " in item " + index) + ": " + error.message(), null, false, false);
        this.error = error;
        this.index = index;
    }

    TaskResult outcome(String taskId, ResultMeta meta) {
        TaskResult failure = TaskResult.failure(taskId, TaskState.FAILURE, error, meta);
        if (index == null) {
            return failure;
        }
        ObjectNode result = ((ObjectNode) failure.result()).deepCopy();
        result.put(MapHandle.ITEM_INDEX, index);
        return new TaskResult(taskId, failure.state(), result, failure.traceback(), failure.dateDone(), meta);
    }
}
