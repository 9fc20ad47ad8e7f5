package dev.bullpen.result;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The extended result fields Celery stores with {@code result_extended}: who ran what.
 *
 * @param name the task name
 * @param args positional arguments
 * @param kwargs keyword arguments
 * @param worker the worker's node name
 * @param retries the retry count of the attempt that stored this
 * @param queue the queue the task came from
 * @param parentId the id of the calling task, when there is one
 * @param groupId the id of the group, when the task is part of one
 */
public record ResultMeta(@Nullable String name, @Nullable JsonNode args, @Nullable JsonNode kwargs,
        @Nullable String worker, @Nullable Integer retries, @Nullable String queue,
        @Nullable String parentId, @Nullable String groupId) {

    /** No extended fields. */
    public static final ResultMeta NONE = new ResultMeta(null, null, null, null, null, null, null, null);

    /** The same without the task's arguments, which may be what made a result too large to store. */
    public ResultMeta withoutArguments() {
        return new ResultMeta(name, null, null, worker, retries, queue, parentId, groupId);
    }
}
