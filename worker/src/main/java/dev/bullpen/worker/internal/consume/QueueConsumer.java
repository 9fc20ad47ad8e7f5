package dev.bullpen.worker.internal.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue with manual acknowledgements. Each delivery runs on a virtual thread of its
 * own; the {@link DeliveryHandler} takes one of the worker's {@code concurrency} slots to run its
 * task, and says when the message may be acknowledged (its outcome safely stored); otherwise it goes
 * back to the queue.
 * A delivery still waiting for a slot when the worker stops goes back to the queue unstarted.
 *
 * <p>Acks are sent with {@code multiple=true} once every lower delivery tag of the channel is
 * settled (see {@link DeliveryTags}), so tasks finishing together cost the broker one ack; nothing
 * is acknowledged before its own outcome is stored. Whoever settles a delivery sends what can be
 * sent, unless another thread is sending, which then sends it too. An ack settled above a task still
 * running waits for it at most {@link #STRAGGLER_DELAY}, then goes on its own.
 */
final class QueueConsumer extends DefaultConsumer {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    /** How long an ack may wait for a lower tag still running before it is sent on its own. */
    static final Duration STRAGGLER_DELAY = Duration.ofMillis(20);

    private final String queue;
    private final DeliveryHandler handler;
    private final ExecutorService executor;
    private final Slots slots;
    private final InFlight inFlight;
    private volatile @Nullable String consumerTag;
    private volatile boolean cancelled;
    private final DeliveryTags tags = new DeliveryTags();
    private final ReentrantLock sending = new ReentrantLock();
    private final AtomicBoolean stragglerSweep = new AtomicBoolean();

    QueueConsumer(Channel channel, String queue, DeliveryHandler handler, ExecutorService executor, Slots slots,
            InFlight inFlight) {
        super(channel);
        this.queue = queue;
        this.handler = handler;
        this.executor = executor;
        this.slots = slots;
        this.inFlight = inFlight;
    }

    String queue() {
        return queue;
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
        long deliveryTag = envelope.getDeliveryTag();
        synchronized (tags) {
            tags.delivered(deliveryTag);
        }
        inFlight.enter();
        executor.execute(() -> {
            DeliveryHandler.Outcome outcome = null;
            try {
                outcome = handler.handle(queue, props, body, slots);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.settled();
                if (outcome == null) {
                    // Left open, never acknowledged (no later multiple ack covers it): the broker
                    // redelivers it when the channel closes.
                    inFlight.exit();
                } else {
                    settle(deliveryTag, outcome);
                }
            }
        });
    }

    private void settle(long deliveryTag, DeliveryHandler.Outcome outcome) {
        synchronized (tags) {
            if (outcome == DeliveryHandler.Outcome.ACK) {
                tags.ack(deliveryTag);
            } else {
                tags.nack(deliveryTag);
            }
        }
        send(false);
    }

    /**
     * Sends what may be sent now; returns at once if another thread is sending, which sends this
     * too: it looks again after it lets go. {@code stragglers} also sends the acks waiting above a
     * tag still open, and waits for the lock rather than leave it to a sender that would not.
     */
    private void send(boolean stragglers) {
        while (stragglers ? lock() : sending.tryLock()) {
            try {
                List<DeliveryTags.Send> sends;
                synchronized (tags) {
                    sends = tags.take(stragglers);
                }
                sends.forEach(this::send);
            } finally {
                sending.unlock();
            }
            stragglers = false;
            boolean waiting;
            synchronized (tags) {
                if (tags.sendable()) {
                    continue;
                }
                waiting = tags.waiting();
            }
            if (waiting) {
                sweepStragglersSoon();
            }
            return;
        }
    }

    private boolean lock() {
        sending.lock();
        return true;
    }

    private void sweepStragglersSoon() {
        if (stragglerSweep.compareAndSet(false, true)) {
            // A thread of its own, not the executor's: a stopping worker shuts that down, and the acks must still go.
            Thread.ofVirtual().name("bullpen-ack-sweep").start(() -> {
                try {
                    Thread.sleep(STRAGGLER_DELAY);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                stragglerSweep.set(false);
                send(true);
            });
        }
    }

    private void send(DeliveryTags.Send send) {
        try {
            switch (send) {
                case DeliveryTags.Ack ack -> getChannel().basicAck(ack.tag(), ack.multiple());
                case DeliveryTags.Nack nack -> getChannel().basicNack(nack.tag(), false, true);
            }
        } catch (IOException | ShutdownSignalException ex) {
            // The channel died: the broker redelivers the message, and a stored SUCCESS is never overwritten.
            log.warn("{} on {} failed, the message will be redelivered: {}", send, queue, ex.toString());
        } finally {
            for (int i = 0; i < send.count(); i++) {
                inFlight.exit();
            }
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
