package dev.bullpen.producer.task;

import dev.bullpen.result.RemoteError;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** The exception a task raised, whichever language the worker was written in. */
@Schema(name = "TaskError", description = "The exception behind a FAILURE, REVOKED or RETRY state")
record TaskError(
        @Schema(description = "The exception's class name", example = "ValueError") String type,
        @Schema(description = "The exception's message", example = "bad thing") String message,
        @Schema(description = "The remote stack trace as text", nullable = true) @Nullable String traceback) {

    static TaskError of(RemoteError error) {
        return new TaskError(error.type(), error.message(), error.traceback());
    }
}
