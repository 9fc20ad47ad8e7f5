package dev.bullpen.producer.workers;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A live worker, Bullpen or Python Celery, as its last heartbeat described it. */
@Schema(description = "A worker that sent a heartbeat recently")
record WorkerInfo(
        @Schema(description = "Node name, e.g. bullpen@host; use it to address this worker") String hostname,
        @Schema(description = "bullpen, or py-celery for a Python worker") String software,
        @Schema(description = "The software's version") @Nullable String version,
        long pid,
        @Schema(description = "Queues it consumes (Bullpen workers only)") List<String> queues,
        @Schema(description = "Its own queue, <hostname>.dq2 on exchange C.dq2 (Celery's worker_direct), while it "
                + "consumes it (Bullpen workers only): send a task there with \"worker\": hostname",
                example = "bullpen@host-1.dq2") @JsonProperty("direct_queue") @Nullable String directQueue,
        @Schema(description = "Tasks it has registered (Bullpen workers only)") List<String> tasks,
        @Schema(description = "Tasks received and not yet acknowledged") int active,
        @Schema(description = "Tasks received since it started") long processed,
        @Schema(description = "How many tasks it runs at once (Bullpen workers only)") @Nullable Integer concurrency,
        @JsonProperty("started_at") @Nullable Instant startedAt,
        @JsonProperty("last_heartbeat") Instant lastHeartbeat) {
}
