package dev.bullpen.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The AMQP basic properties of a task message, as Celery sets them.
 *
 * @param correlationId the task id
 * @param contentType {@code application/json}
 * @param contentEncoding {@code utf-8}
 * @param deliveryMode 2 (persistent), Celery's default
 * @param priority 0..255; honoured only on queues declared with {@code x-max-priority}
 * @param replyTo the caller's reply queue (used by the RPC result backend only)
 * @param expiration per-message TTL in milliseconds, as a string, when the task has {@code expires}
 */
public record DeliveryProperties(@Nullable String correlationId, String contentType,
        @Nullable String contentEncoding, int deliveryMode, int priority,
        @Nullable String replyTo, @Nullable String expiration) {

    public static final String JSON = "application/json";

    /** Persistent JSON, priority 0: what Celery sends by default. */
    public static DeliveryProperties defaults(String taskId) {
        return new DeliveryProperties(taskId, JSON, "utf-8", 2, 0, null, null);
    }
}
