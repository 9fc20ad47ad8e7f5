package dev.bullpen.worker.internal.topology;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.client.ConfirmingPublisher;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Parks messages a worker cannot run in {@code <queue>.dlq}, untouched but for headers saying why,
 * when and from where. A message is acknowledged on its queue only after the broker confirmed the
 * copy, so a dead letter is never lost and never loops through the queue forever.
 */
public final class DeadLetters {

    /** Header naming why the message was dead-lettered. */
    public static final String REASON = "x-bullpen-dead-reason";
    /** Header with the queue the message came from. */
    public static final String ORIGINAL_QUEUE = "x-bullpen-original-queue";
    /** Header with the time, ISO-8601 UTC. */
    public static final String DEAD_AT = "x-bullpen-dead-at";
    /** Header with the fully qualified type of the exception that failed the task, when one did. */
    public static final String EXCEPTION = "x-bullpen-exception";
    /** Header with how many times the task had been retried when it was dead-lettered. */
    public static final String RETRIES = "x-bullpen-retries";
    /** The reason of a task that failed its last retry. */
    public static final String MAX_RETRIES_EXCEEDED = "max retries exceeded";

    private final ConfirmingPublisher publisher;

    public DeadLetters(ConfirmingPublisher publisher) {
        this.publisher = publisher;
    }

    /** The dead-letter queue of a queue. */
    public static String queueFor(String queue) {
        return BrokerTopology.deadLetterQueue(queue);
    }

    /** Declares the dead-letter queue of {@code queue} ({@link BrokerTopology#declareDeadLetterQueue}). */
    public static void declare(Channel channel, String queue) throws IOException {
        BrokerTopology.declareDeadLetterQueue(channel, queue);
    }

    /** Copies the message to the dead-letter queue; completes when the broker confirmed. */
    public CompletableFuture<Void> park(String queue, AMQP.BasicProperties props, byte[] body, String reason) {
        return park(queue, props, body, reason, Map.of());
    }

    /**
     * Copies the message of a task that failed, with the exception's type and its retries count;
     * completes when the broker confirmed.
     */
    public CompletableFuture<Void> park(String queue, AMQP.BasicProperties props, byte[] body, String reason,
            String exceptionType, int retries) {
        return park(queue, props, body, reason, Map.of(EXCEPTION, exceptionType, RETRIES, retries));
    }

    private CompletableFuture<Void> park(String queue, AMQP.BasicProperties props, byte[] body, String reason,
            Map<String, Object> extra) {
        Map<String, Object> headers = props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
        headers.putAll(extra);
        headers.put(REASON, reason.length() > 1000 ? reason.substring(0, 1000) : reason);
        headers.put(ORIGINAL_QUEUE, queue);
        headers.put(DEAD_AT, Instant.now().toString());
        // No per-message TTL: a dead letter waits until someone looks at it.
        AMQP.BasicProperties copy = props.builder().headers(headers).deliveryMode(2).expiration(null).build();
        return publisher.publish("", queueFor(queue), copy, body);
    }
}
