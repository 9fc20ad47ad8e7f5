package dev.bullpen.producer.deadletter;

import io.swagger.v3.oas.annotations.media.Schema;

/** What {@code POST /api/dead-letters/{id}/replay} answers: the task is queued again. */
@Schema(name = "ReplayAccepted", description = "The dead letter is back on its queue as a fresh run")
record ReplayAccepted(@Schema(description = "The task id; read the new run at /api/tasks/{id}") String id,
        @Schema(description = "The queue it was sent to") String queue) {
}
