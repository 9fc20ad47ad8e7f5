package dev.bullpen.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Publishes with publisher confirms, asynchronously: each publish returns a future that completes
 * when the broker has taken the message (persisted it, for a durable queue), and fails when the
 * broker nacks it, cannot route it ({@code mandatory}), or the connection drops first.
 *
 * <p>Several channels publish in parallel; each keeps its unconfirmed messages by sequence number
 * and settles them as acks arrive, many at a time when the broker sends {@code multiple}. The
 * connection is opened lazily and reopened on the next publish after it is lost, so a broker
 * outage makes publishes fail fast and the publisher recovers by itself.
 */
public final class ConfirmingPublisher implements AutoCloseable {

    private final PublisherConnection connection;
    /** Whether closing this publisher closes the connection: false for a {@link #sibling}. */
    private final boolean ownsConnection;
    private final PublishChannel[] channels;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    /**
     * A publisher with a connection of its own, opened on the first publish.
     *
     * @param factory where to connect; it is copied, and the copy has automatic recovery off
     * @param channels how many channels to publish on
     * @param connectionName shown in the management UI
     */
    public ConfirmingPublisher(ConnectionFactory factory, int channels, String connectionName) {
        this(new PublisherConnection(factory, connectionName), channels, true);
    }

    private ConfirmingPublisher(PublisherConnection connection, int channels, boolean ownsConnection) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1");
        }
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.channels = new PublishChannel[channels];
        for (int i = 0; i < channels; i++) {
            this.channels[i] = new PublishChannel();
        }
    }

    /**
     * Another publisher on this one's connection, with channels of its own: one connection serves
     * several publishers (a worker's dead letters, delays, events and follow-up tasks), while a
     * channel the broker closes (a publish to a missing exchange) fails only its own publisher's
     * unconfirmed messages. Closing the sibling closes its channels; closing this publisher closes
     * the connection, for the siblings too.
     */
    public ConfirmingPublisher sibling(int channels) {
        return new ConfirmingPublisher(connection, channels, false);
    }

    /**
     * Publishes one message as mandatory. The future completes once the broker confirms it.
     * Never throws: every failure is in the future.
     */
    public CompletableFuture<Void> publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
        if (closed || connection.isClosed()) {
            return CompletableFuture.failedFuture(new TaskPublishException("the publisher is closed"));
        }
        String blocked = connection.blockedReason();
        if (blocked != null) {
            return CompletableFuture.failedFuture(new TaskPublishException("the broker is blocking publishers: " + blocked));
        }
        PublishChannel channel = channels[Math.floorMod(next.getAndIncrement(), channels.length)];
        return channel.publish(exchange, routingKey, props, body);
    }

    /**
     * Runs {@code work} on a short-lived channel of its own, for declarations.
     *
     * @throws TaskPublishException when the broker cannot be reached or the work fails at the broker
     */
    public <T extends @Nullable Object> T withChannel(ChannelWork<T> work) {
        if (closed || connection.isClosed()) {
            throw new TaskPublishException("the publisher is closed");
        }
        Channel channel = null;
        try {
            channel = connection.get().createChannel();
            if (channel == null) {
                throw new TaskPublishException("the broker has no channel left for this connection");
            }
            return work.apply(channel);
        } catch (IOException | ShutdownSignalException ex) {
            throw new TaskPublishException("broker operation failed: " + describe(ex), ex);
        } finally {
            // The work may have had the broker close the channel (a passive declare's 404 does):
            // closing it again would throw and turn a finished job into an error.
            if (channel != null && channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                    // Done with it either way.
                }
            }
        }
    }

    /** Work done on a channel. */
    @FunctionalInterface
    public interface ChannelWork<T extends @Nullable Object> {
        T apply(Channel channel) throws IOException;
    }

    /**
     * Closes the connection (a {@linkplain #sibling sibling}: its channels); messages still
     * unconfirmed fail. Later publishes fail at once.
     */
    @Override
    public void close() {
        closed = true;
        if (ownsConnection) {
            connection.close();
            return;
        }
        for (PublishChannel channel : channels) {
            channel.close();
        }
    }

    static String describe(Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /**
     * One of the publishing channels. The AMQP channel behind it is replaced when it closes; each one
     * keeps its own unconfirmed messages, so the shutdown of an old channel never fails messages
     * already published on its successor (sequence numbers restart at 1 on every channel).
     */
    private final class PublishChannel {

        /** Guarded by {@code this}. */
        private @Nullable ConfirmChannel current;

        CompletableFuture<Void> publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            synchronized (this) {
                ConfirmChannel ch = null;
                long seq = -1;
                try {
                    ch = open();
                    seq = ch.channel().getNextPublishSeqNo();
                    ch.track(seq, exchange, routingKey, body, confirmed);
                    ch.channel().basicPublish(exchange, routingKey, true, props, body);
                } catch (IOException | RuntimeException ex) {
                    if (ch != null && seq >= 0) {
                        ch.forget(seq);
                    }
                    confirmed.completeExceptionally(ex instanceof TaskPublishException publish ? publish
                            : new TaskPublishException("could not publish to the broker: " + describe(ex), ex));
                }
            }
            return confirmed;
        }

        synchronized void close() {
            ConfirmChannel ch = current;
            if (ch != null && ch.channel().isOpen()) {
                try {
                    ch.channel().close();
                } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                    // Done with it either way; its shutdown listener fails what it still holds.
                }
            }
        }

        private ConfirmChannel open() throws IOException {
            ConfirmChannel ch = current;
            if (ch != null && ch.channel().isOpen()) {
                return ch;
            }
            if (closed || connection.isClosed()) {
                throw new TaskPublishException("the publisher is closed");
            }
            ch = new ConfirmChannel(connection.get().createChannel(), connection.settlements());
            ConfirmChannel opened = ch;
            opened.channel().addShutdownListener(cause -> {
                synchronized (this) {
                    if (current == opened) {
                        current = null;
                    }
                }
                opened.failAll("the connection to the broker was lost before it confirmed: " + describe(cause));
            });
            current = opened;
            return opened;
        }
    }
}
