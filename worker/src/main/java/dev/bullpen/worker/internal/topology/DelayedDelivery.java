package dev.bullpen.worker.internal.topology;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.client.ConfirmingPublisher;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Parks messages in the broker until they are due, with no plugin and nothing held unacknowledged
 * in a worker (RabbitMQ closes channels that hold a message past its 30-minute consumer_timeout).
 *
 * <p>Level {@code k} is a fanout exchange and a queue {@code bullpen.delay.<k>} whose messages all
 * live {@code 2^k} seconds, for k = 0..27 (up to about 4 years). As every message in a level has the
 * same TTL they expire in order, and on expiry the broker dead-letters each to the default exchange
 * with its original routing key, which is its target queue. A message due in {@code d} seconds goes
 * to the largest level not longer than {@code d}; the worker that receives it back parks the rest
 * again, so a task arrives within the broker's expiry precision of its time and never before it.
 */
public final class DelayedDelivery {

    static final int LEVELS = BrokerTopology.DELAY_LEVELS;

    private final ConfirmingPublisher publisher;

    public DelayedDelivery(ConfirmingPublisher publisher) {
        this.publisher = publisher;
    }

    /** Declares every level ({@link BrokerTopology#declareDelayQueues}); idempotent. */
    public static void declare(Channel channel) throws IOException {
        BrokerTopology.declareDelayQueues(channel);
    }

    /** The level for a delay of at least one second. */
    static int levelFor(Duration delay) {
        long seconds = Math.max(1, delay.toSeconds());
        return Math.min(LEVELS - 1, 63 - Long.numberOfLeadingZeros(seconds));
    }

    /**
     * Sends a message to {@code queue} after {@code delay}: parked when the delay is a second or
     * more, straight to the queue otherwise (its {@code eta} header holds it back the rest of the
     * way). Completes once the broker confirmed it.
     */
    public CompletableFuture<Void> deliver(String queue, AMQP.BasicProperties props, byte[] body, Duration delay) {
        if (delay.compareTo(Duration.ofSeconds(1)) >= 0) {
            return park(queue, props, body, delay);
        }
        return publisher.publish("", queue, props, body);
    }

    /**
     * Parks a message for {@code queue}; completes once the broker confirmed it. The caller then
     * acknowledges the original.
     */
    public CompletableFuture<Void> park(String queue, AMQP.BasicProperties props, byte[] body, Duration delay) {
        // A per-message TTL would expire it early out of the delay queue and bounce it straight back.
        AMQP.BasicProperties parked = props.getExpiration() == null ? props : props.builder().expiration(null).build();
        return publisher.publish(BrokerTopology.delayExchange(levelFor(delay)), queue, parked, body);
    }
}
