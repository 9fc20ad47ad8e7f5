package dev.bullpen.client;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How Bullpen declares one queue ({@code bullpen.queues.<name>.*}). The client (with
 * {@code create-missing-queues}) and the worker declare a queue from the same definition, so both
 * ask the broker for the same arguments. A queue without a definition is declared as Celery declares
 * its default queue: durable, no arguments.
 *
 * <pre>{@code
 * QueueDefinition.withMaxPriority(9)   // x-max-priority 9: priorities 0..9, higher is delivered first
 * }</pre>
 *
 * @param maxPriority the queue's {@code x-max-priority} (1..255), or {@code null} for a plain queue.
 *        RabbitMQ delivers waiting messages with a higher AMQP priority first; a message above the
 *        maximum counts as the maximum
 */
public record QueueDefinition(@Nullable Integer maxPriority) {

    /** The RabbitMQ queue argument that makes a priority queue. */
    public static final String MAX_PRIORITY = "x-max-priority";

    private static final QueueDefinition PLAIN = new QueueDefinition(null);

    public QueueDefinition {
        if (maxPriority != null && (maxPriority < 1 || maxPriority > 255)) {
            throw new IllegalArgumentException("max-priority must be 1..255 (RabbitMQ's range), got " + maxPriority);
        }
    }

    /** A queue as Celery declares its default one: durable, no arguments. */
    public static QueueDefinition plain() {
        return PLAIN;
    }

    /** A priority queue: messages with AMQP priority 0..{@code maxPriority}, higher delivered first. */
    public static QueueDefinition withMaxPriority(int maxPriority) {
        return new QueueDefinition(maxPriority);
    }

    /** The arguments of {@code queue.declare}: empty for a plain queue. */
    public Map<String, Object> arguments() {
        return maxPriority == null ? Map.of() : Map.of(MAX_PRIORITY, maxPriority);
    }
}
