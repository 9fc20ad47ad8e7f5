package dev.bullpen.worker.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue with manual acknowledgements. Each delivery runs on a virtual thread of its
 * own; the {@link DeliveryHandler} takes one of the worker's {@code concurrency} slots to run its
 * task, and says when the message may be acknowledged (its outcome safely stored); otherwise it goes
 * back to the queue.
 * A delivery still waiting for a slot when the worker stops goes back to the queue unstarted.
 */
final class QueueConsumer extends DefaultConsumer {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    private final String queue;
    private final DeliveryHandler handler;
    private final ExecutorService executor;
    private final Slots slots;
    private final InFlight inFlight;
    private volatile @Nullable String consumerTag;
    private volatile boolean cancelled;

    QueueConsumer(Channel channel, String queue, DeliveryHandler handler, ExecutorService executor, Slots slots,
            InFlight inFlight) {
        super(channel);
        this.queue = queue;
        this.handler = handler;
        this.executor = executor;
        this.slots = slots;
        this.inFlight = inFlight;
    }

    void start(int prefetch) throws IOException {
        getChannel().basicQos(prefetch);
        consumerTag = getChannel().basicConsume(queue, false, this);
    }

    /**
     * Starts as the queue's only consumer; the broker refuses it (403, closing the channel) while the
     * queue has another consumer, and refuses any other consumer while this one lasts.
     */
    void startExclusive(int prefetch) throws IOException {
        getChannel().basicQos(prefetch);
        consumerTag = getChannel().basicConsume(queue, false, "", false, true, null, this);
    }

    /**
     * True while the broker delivers to this consumer: subscribed, not cancelled, and its channel
     * open. False while the connection recovers (the client re-subscribes it after) and for good
     * once the broker cancelled it or closed its channel.
     */
    boolean isConsuming() {
        return consumerTag != null && !cancelled && getChannel().isOpen();
    }

    /** Stops new deliveries; messages already here still run and are acknowledged. */
    void cancel() {
        String tag = consumerTag;
        if (tag != null && getChannel().isOpen()) {
            try {
                getChannel().basicCancel(tag);
            } catch (IOException | RuntimeException ex) {
                log.debug("Cancel of consumer on {} failed: {}", queue, ex.toString());
            }
        }
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        inFlight.enter();
        executor.execute(() -> {
            try {
                settle(envelope.getDeliveryTag(), handler.handle(queue, props, body, slots));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.exit();
            }
        });
    }

    private void settle(long deliveryTag, DeliveryHandler.Outcome outcome) {
        try {
            if (outcome == DeliveryHandler.Outcome.ACK) {
                getChannel().basicAck(deliveryTag, false);
            } else {
                getChannel().basicNack(deliveryTag, false, true);
            }
        } catch (IOException | ShutdownSignalException ex) {
            // The channel died: the broker redelivers the message, and a stored SUCCESS is never overwritten.
            log.warn("{} on {} failed, the message will be redelivered: {}", outcome, queue, ex.toString());
        }
    }

    @Override
    public void handleCancel(String tag) {
        cancelled = true;
        log.error("The broker cancelled the consumer on {} (queue deleted?): this worker no longer consumes it "
                + "and reports itself DOWN", queue);
    }

    @Override
    public void handleCancelOk(String tag) {
        cancelled = true;
    }
}
