package dev.bullpen.producer.task;

import io.swagger.v3.oas.annotations.media.Schema;

/** What {@code DELETE /api/tasks/{id}} answers: the revocation is stored and broadcast. */
@Schema(name = "RevokeAccepted", description = "The task is revoked: a worker that meets it will not run it, and with "
        + "terminate a worker running it now interrupts it. Read the REVOKED state at /api/tasks/{id}.")
record RevokeAccepted(
        @Schema(description = "The task id", example = "6f1c1e52-3b36-4c8e-9d4c-6d2b1e0b7f6a") String id,
        @Schema(description = "Whether a run under way is interrupted too") boolean terminate) {
}
