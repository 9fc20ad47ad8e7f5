package dev.bullpen.producer.task;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/** Each worker's copy of a broadcast task, as {@code GET /api/tasks/{id}} reads one task. */
@Schema(name = "BroadcastStatus", description = "The state and result of every copy of a broadcast, by worker")
record BroadcastStatus(
        @Schema(description = "The broadcast's id") String id,
        @Schema(description = "Worker node name to its copy's state and result") Map<String, TaskStatus> workers) {
}
