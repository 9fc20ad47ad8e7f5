package dev.bullpen.producer.task;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/tasks}, Celery's {@code apply_async} options in JSON. It documents
 * the contract only: {@link TaskRequestReader} parses the raw body itself, so that every error names
 * its field precisely.
 */
@Schema(name = "SubmitTaskRequest", description = "A task to send. Only task is required; unknown fields are refused.")
record SubmitTaskRequest(
        @Schema(description = "The registered task name: at most 255 characters, no control characters",
                example = "demo.add", maxLength = 255, requiredMode = Schema.RequiredMode.REQUIRED)
        String task,
        @Schema(description = "Positional arguments", example = "[2, 3]") @Nullable List<Object> args,
        @Schema(description = "Keyword arguments", example = "{}") @Nullable Map<String, Object> kwargs,
        @Schema(description = "The queue to send to; when absent, the task's route in bullpen.routes, else "
                + "bullpen.client.default-queue. One the producer knows: bullpen.client.default-queue, a queue of "
                + "bullpen.routes, a name in bullpen.queues, or one matching bullpen.producer.queue-patterns; else "
                + "400. Reserved names are refused: amq.*, *.dlq, bullpen.delay.*, *.dq2 (use worker), *.pidbox, "
                + "celeryev*. Created like Celery's (with the arguments of bullpen.queues) when missing. At most 255 "
                + "bytes, no control characters.",
                example = "celery") @Nullable String queue,
        @Schema(description = "Run no sooner than this many seconds from now (>= 0). Not together with a future eta.",
                example = "0", minimum = "0") @Nullable Double countdown,
        @Schema(description = "Run no sooner than this instant (ISO-8601; without an offset it is UTC), at most "
                + "10 years from now",
                example = "2026-01-01T00:00:00Z", format = "date-time") @Nullable String eta,
        @Schema(description = "Do not run after this: seconds from now (> 0) or an ISO-8601 date-time",
                types = {"number", "string"}, example = "60") @Nullable Object expires,
        @Schema(description = "0..9; higher runs first on queues declared with x-max-priority",
                example = "0", minimum = "0", maximum = "9") @Nullable Integer priority,
        @Schema(description = "The id to use instead of a random UUID: letters, digits and ._:@+- , at most 255. "
                + "Refused with 409 when a task of this id has a result or is in flight (unless it is the same "
                + "Idempotency-Key's repeat)",
                pattern = "^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,254}$")
        @JsonProperty("task_id") @Nullable String taskId,
        @Schema(description = "Hard time limit in seconds (> 0)") @JsonProperty("time_limit") @Nullable Double timeLimit,
        @Schema(description = "Soft time limit in seconds (> 0)") @JsonProperty("soft_time_limit") @Nullable Double softTimeLimit,
        @Schema(description = "Store no result") @JsonProperty("ignore_result") @Nullable Boolean ignoreResult,
        @Schema(description = "Run it on this worker only (a hostname from GET /api/workers): it goes to the worker's "
                + "own queue <worker>.dq2 on exchange C.dq2, Celery's worker_direct. 404 when no such worker is alive. "
                + "Not together with queue.", example = "bullpen@host-1") @Nullable String worker) {
}
