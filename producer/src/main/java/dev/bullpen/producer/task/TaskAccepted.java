package dev.bullpen.producer.task;

import dev.bullpen.result.TaskState;
import io.swagger.v3.oas.annotations.media.Schema;

/** The answer to a submission: the broker has the task. */
@Schema(name = "TaskAccepted", description = "The broker has confirmed the task; poll its Location for the result.")
record TaskAccepted(
        @Schema(description = "The task id", example = "6f1c1e52-3b36-4c8e-9d4c-6d2b1e0b7f6a") String id,
        @Schema(description = "Always PENDING: the task is queued", example = "PENDING") TaskState state) {
}
