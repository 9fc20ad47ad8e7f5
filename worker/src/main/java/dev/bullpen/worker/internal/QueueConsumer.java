package dev.bullpen.worker.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.bullpen.protocol.MalformedMessageException;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageCodec;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue with manual acknowledgements. Each delivery runs on a virtual thread of its
 * own, at most {@code concurrency} at once across the worker; the message is acknowledged only after
 * its result is stored (or, for a malformed message, after its dead-letter copy is confirmed).
 * Anything that goes wrong before that leaves the message unacknowledged for redelivery.
 */
final class QueueConsumer extends DefaultConsumer {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    /** Pause before handing back a message whose result could not be stored, so an outage is not a hot loop. */
    private static final java.time.Duration STORE_RETRY_DELAY = java.time.Duration.ofSeconds(1);

    private final String queue;
    private final TaskMessageCodec codec;
    private final TaskRunner runner;
    private final DeadLetters deadLetters;
    private final ExecutorService executor;
    private final Semaphore slots;
    private final InFlight inFlight;
    private volatile @Nullable String consumerTag;

    QueueConsumer(Channel channel, String queue, TaskMessageCodec codec, TaskRunner runner, DeadLetters deadLetters,
            ExecutorService executor, Semaphore slots, InFlight inFlight) {
        super(channel);
        this.queue = queue;
        this.codec = codec;
        this.runner = runner;
        this.deadLetters = deadLetters;
        this.executor = executor;
        this.slots = slots;
        this.inFlight = inFlight;
    }

    void start(int prefetch) throws IOException {
        getChannel().basicQos(prefetch);
        consumerTag = getChannel().basicConsume(queue, false, this);
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
                slots.acquire();
                try {
                    process(envelope.getDeliveryTag(), props, body);
                } finally {
                    slots.release();
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.exit();
            }
        });
    }

    private void process(long deliveryTag, AMQP.BasicProperties props, byte[] body) {
        TaskMessage message;
        try {
            message = codec.decode(props, body);
        } catch (MalformedMessageException ex) {
            deadLetter(deliveryTag, props, body, ex.getMessage());
            return;
        }
        try {
            runner.run(message, queue);
        } catch (RuntimeException ex) {
            // The result could not be stored: leave the message for another attempt rather than lose it.
            log.error("Could not store the result of {}[{}]; the message goes back to {} in {}: {}",
                    message.task(), message.id(), queue, STORE_RETRY_DELAY, ex.toString());
            pause(STORE_RETRY_DELAY);
            reject(deliveryTag);
            return;
        }
        ack(deliveryTag);
    }

    private void deadLetter(long deliveryTag, AMQP.BasicProperties props, byte[] body, String reason) {
        log.error("Malformed message on {} moved to {}: {}", queue, DeadLetters.queueFor(queue), reason);
        try {
            deadLetters.park(queue, props, body, reason).join();
            ack(deliveryTag);
        } catch (RuntimeException ex) {
            log.error("Could not dead-letter a malformed message from {}; it stays unacknowledged: {}", queue, ex.toString());
            reject(deliveryTag);
        }
    }

    private static void pause(java.time.Duration delay) {
        try {
            Thread.sleep(delay); // a virtual thread: costs no platform thread
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void ack(long deliveryTag) {
        try {
            getChannel().basicAck(deliveryTag, false);
        } catch (IOException | ShutdownSignalException ex) {
            // The channel died; the broker redelivers the message, and a stored SUCCESS is never overwritten.
            log.warn("Ack on {} failed, the message will be redelivered: {}", queue, ex.toString());
        }
    }

    private void reject(long deliveryTag) {
        try {
            getChannel().basicNack(deliveryTag, false, true);
        } catch (IOException | ShutdownSignalException ex) {
            log.warn("Nack on {} failed, the message will be redelivered: {}", queue, ex.toString());
        }
    }

    @Override
    public void handleCancel(String tag) {
        log.warn("The broker cancelled the consumer on {} (queue deleted?)", queue);
    }
}
