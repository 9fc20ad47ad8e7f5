package dev.bullpen.producer.deadletter;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.rabbitmq.client.AMQP;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One message in a dead-letter queue, as {@code GET /api/dead-letters} lists it. The header names
 * are the worker's ({@code dev.bullpen.worker.internal.topology.DeadLetters}); a test keeps them in step.
 */
@Schema(name = "DeadLetter", description = "A message a worker moved to <queue>.dlq, and why")
record DeadLetter(
        @Schema(description = "The task id; null for a message that is not a task (it cannot be replayed)")
        @Nullable String id,
        @Schema(description = "The task name, when the message has one") @Nullable String task,
        @Schema(description = "Why it was dead-lettered", example = "max retries exceeded") @Nullable String reason,
        @Schema(description = "The fully qualified type of the exception that failed it, when one did",
                example = "java.io.IOException") @Nullable String exception,
        @Schema(description = "How many times the task had been retried") @Nullable Integer retries,
        @Schema(description = "When it was dead-lettered (ISO-8601 UTC)", format = "date-time")
        @JsonProperty("dead_at") @Nullable String deadAt,
        @Schema(description = "The queue it came from, where a replay sends it")
        @JsonProperty("original_queue") @Nullable String originalQueue) {

    static final String REASON = "x-bullpen-dead-reason";
    static final String ORIGINAL_QUEUE = "x-bullpen-original-queue";
    static final String DEAD_AT = "x-bullpen-dead-at";
    static final String EXCEPTION = "x-bullpen-exception";
    static final String RETRIES = "x-bullpen-retries";

    static DeadLetter of(AMQP.BasicProperties props) {
        Map<String, Object> headers = props.getHeaders() == null ? Map.of() : props.getHeaders();
        return new DeadLetter(idOf(props), text(headers.get("task")), text(headers.get(REASON)),
                text(headers.get(EXCEPTION)), number(headers.get(RETRIES)), text(headers.get(DEAD_AT)),
                text(headers.get(ORIGINAL_QUEUE)));
    }

    /** The task id: the {@code id} header, else the correlation id Celery sets to it. */
    static @Nullable String idOf(AMQP.BasicProperties props) {
        String id = props.getHeaders() == null ? null : text(props.getHeaders().get("id"));
        return id != null ? id : props.getCorrelationId();
    }

    /** AMQP hands strings over as {@code LongString}s. */
    private static @Nullable String text(@Nullable Object value) {
        return value == null ? null : value.toString();
    }

    private static @Nullable Integer number(@Nullable Object value) {
        if (value instanceof Number n) {
            return n.intValue();
        }
        try {
            return value == null ? null : Integer.valueOf(value.toString());
        } catch (NumberFormatException ex) {
            return null;
        }
    }
}
