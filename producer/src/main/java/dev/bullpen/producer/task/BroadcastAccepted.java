package dev.bullpen.producer.task;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/** The answer to a broadcast: the copies the broker has, by worker, and those it refused. */
@Schema(name = "BroadcastAccepted", description = "One copy of the task per live worker; poll the Location for each "
        + "worker's result. Each copy is also a task of its own at /api/tasks/{id}.")
record BroadcastAccepted(
        @Schema(description = "The broadcast's id (saved as a Celery group of the copies' ids)") String id,
        @Schema(description = "The task name") String task,
        @Schema(description = "Worker node name to the id of its copy, for every copy the broker confirmed",
                example = "{\"bullpen@host-1\": \"5b0c...:bullpen@host-1\"}") Map<String, String> tasks,
        @Schema(description = "Worker node name to why its copy was not sent (e.g. a Python worker without "
                + "worker_direct); empty when all were sent") Map<String, String> failed) {
}
