package dev.bullpen.producer.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bullpen.protocol.WireTime;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What {@code GET /api/tasks/{id}} answers: the task's state and outcome, plus who ran what when the
 * worker stored Celery's extended result fields. The extended fields are left out, not null, when
 * unknown, so that a client can tell "not stored" from a stored null.
 */
@Schema(name = "TaskStatus", description = """
        The state and outcome of a task. An id the result backend does not know reads as PENDING, \
        as in Celery: the task may be waiting in a queue, may never have been sent, or its result \
        may have expired.""")
record TaskStatus(
        @Schema(description = "The task id") String id,
        @Schema(description = "Celery's state name; PENDING for an unknown id") TaskState state,
        @Schema(description = "The return value on SUCCESS, worker info on STARTED; null otherwise (any JSON)",
                implementation = Object.class) @Nullable JsonNode result,
        @Schema(description = "The exception on FAILURE, REVOKED and RETRY; null otherwise") @Nullable TaskError error,
        @Schema(description = "When the task reached a final state (ISO-8601 with offset)", format = "date-time",
                nullable = true, example = "2026-11-25T07:51:37.151514+00:00")
        @JsonProperty("date_done") @Nullable String dateDone,
        @Schema(description = "The task name, when the worker stored it", requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String name,
        @Schema(description = "Positional arguments, when the worker stored them", implementation = Object[].class,
                requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable JsonNode args,
        @Schema(description = "Keyword arguments, when the worker stored them", implementation = Object.class,
                requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable JsonNode kwargs,
        @Schema(description = "The node name of the worker that ran it, when stored",
                requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String worker,
        @Schema(description = "How many times it had been retried, when stored", requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer retries,
        @Schema(description = "The queue it came from, when stored", requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String queue) {

    static TaskStatus of(TaskResult stored) {
        TaskState state = stored.state();
        JsonNode value = stored.result();
        boolean failed = state.propagates() || state == TaskState.RETRY;
        // On failure the exception replaces Celery's raw exception dict: one way to read it, not two.
        @Nullable JsonNode result = failed || value.isNull() || value.isMissingNode() ? null : value;
        @Nullable TaskError error = failed ? TaskError.of(stored.error().orElseGet(() -> new RemoteError(
                state.name(), null, value.isNull() ? List.of() : List.of(value), stored.traceback()))) : null;
        ResultMeta meta = stored.meta();
        return new TaskStatus(stored.taskId(), state, result, error,
                stored.dateDone() == null ? null : WireTime.format(stored.dateDone()),
                meta.name(), meta.args(), meta.kwargs(), meta.worker(), meta.retries(), meta.queue());
    }
}
