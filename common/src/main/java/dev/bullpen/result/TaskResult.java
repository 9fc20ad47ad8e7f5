package dev.bullpen.result;

import java.time.OffsetDateTime;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NullNode;

/**
 * What a result backend holds for one task, field for field Celery's result meta.
 *
 * @param taskId the task id
 * @param state the state
 * @param result the return value on SUCCESS, the exception on FAILURE or RETRY, worker info on STARTED
 * @param traceback the formatted stack trace of a failure
 * @param dateDone when the task reached a ready state (null before)
 * @param meta the task's name, arguments, worker and so on ({@code result_extended})
 * @param children the tasks this one started, as Celery stores them: a list of
 *        {@code [[id, parent], null]} result tuples (or group tuples); empty when there are none
 */
public record TaskResult(String taskId, TaskState state, JsonNode result, @Nullable String traceback,
        @Nullable OffsetDateTime dateDone, ResultMeta meta, JsonNode children) {

    /** A result that started no other tasks. */
    public TaskResult(String taskId, TaskState state, JsonNode result, @Nullable String traceback,
            @Nullable OffsetDateTime dateDone, ResultMeta meta) {
        this(taskId, state, result, traceback, dateDone, meta, JsonNodeFactory.instance.arrayNode());
    }

    /** What the backend answers for a task it knows nothing of. */
    public static TaskResult pending(String taskId) {
        return new TaskResult(taskId, TaskState.PENDING, NullNode.getInstance(), null, null, ResultMeta.NONE);
    }

    /** A successful result. */
    public static TaskResult success(String taskId, JsonNode value, ResultMeta meta) {
        return new TaskResult(taskId, TaskState.SUCCESS, value, null, OffsetDateTime.now(java.time.ZoneOffset.UTC), meta);
    }

    /** A failure, or with {@code state} RETRY, a failure that will be retried. */
    public static TaskResult failure(String taskId, TaskState state, RemoteError error, ResultMeta meta) {
        return new TaskResult(taskId, state, error.toJson(), error.traceback(),
                state.isReady() ? OffsetDateTime.now(java.time.ZoneOffset.UTC) : null, meta);
    }

    /** The same result with the given children. */
    public TaskResult withChildren(JsonNode children) {
        return new TaskResult(taskId, state, result, traceback, dateDone, meta, children);
    }

    /** The exception, on FAILURE, RETRY or REVOKED. */
    public Optional<RemoteError> error() {
        if (result.isObject() && result.has("exc_type")) {
            return Optional.of(RemoteError.fromJson(result, traceback));
        }
        return Optional.empty();
    }
}
