package dev.bullpen.client.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.bullpen.client.TaskPublishException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
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

    private final ConnectionFactory factory;
    private final String connectionName;
    private final PublishChannel[] channels;
    private final AtomicInteger next = new AtomicInteger();
    private final Object connectionLock = new Object();
    private volatile @Nullable Connection connection;
    private volatile @Nullable String blockedReason;

    /**
     * @param factory where to connect; it is copied, and the copy has automatic recovery off
     * @param channels how many channels to publish on
     * @param connectionName shown in the management UI
     */
    public ConfirmingPublisher(ConnectionFactory factory, int channels, String connectionName) {
        this.factory = factory.clone();
        this.factory.setAutomaticRecoveryEnabled(false);
        if (this.factory.getConnectionTimeout() == 0 || this.factory.getConnectionTimeout() > 5000) {
            // An unreachable broker must fail a publish in seconds, not the client's default minute.
            this.factory.setConnectionTimeout(5000);
        }
        this.connectionName = connectionName;
        this.channels = new PublishChannel[channels];
        for (int i = 0; i < channels; i++) {
            this.channels[i] = new PublishChannel();
        }
    }

    /**
     * Publishes one message as mandatory. The future completes once the broker confirms it.
     * Never throws: every failure is in the future.
     */
    public CompletableFuture<Void> publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
        String blocked = blockedReason;
        if (blocked != null) {
            return CompletableFuture.failedFuture(new TaskPublishException("the broker is blocking publishers: " + blocked));
        }
        PublishChannel channel = channels[Math.floorMod(next.getAndIncrement(), channels.length)];
        return channel.publish(exchange, routingKey, props, body);
    }

    /** Runs {@code work} on a short-lived channel of its own, for declarations. */
    public <T> T withChannel(ChannelWork<T> work) {
        Channel channel = null;
        try {
            channel = connection().createChannel();
            return work.apply(channel);
        } catch (IOException | TimeoutException | ShutdownSignalException ex) {
            throw new TaskPublishException("broker operation failed: " + describe(ex), ex);
        } finally {
            // A failed passive declare (404) has closed the channel already: closing it again would
            // throw AlreadyClosedException and turn the answer "missing" into a failure.
            if (channel != null && channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /** Work done on a channel. */
    @FunctionalInterface
    public interface ChannelWork<T> {
        T apply(Channel channel) throws IOException;
    }

    @Override
    public void close() {
        Connection c = connection;
        if (c != null && c.isOpen()) {
            try {
                c.close(2000);
            } catch (IOException | AlreadyClosedException ignored) {
                // closing anyway
            }
        }
    }

    private Connection connection() throws IOException, TimeoutException {
        Connection c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        synchronized (connectionLock) {
            c = connection;
            if (c == null || !c.isOpen()) {
                c = factory.newConnection(connectionName);
                c.addBlockedListener(reason -> blockedReason = reason, () -> blockedReason = null);
                blockedReason = null;
                connection = c;
            }
            return c;
        }
    }

    static String describe(Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** One confirm-mode channel and the messages it has not had confirmed yet. */
    private final class PublishChannel {

        private @Nullable Channel channel;
        private final ConcurrentNavigableMap<Long, Unconfirmed> unconfirmed = new ConcurrentSkipListMap<>();
        /** Why a message came back, by correlation id, until its ack arrives. */
        private final Map<String, String> returned = new ConcurrentHashMap<>();

        CompletableFuture<Void> publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            synchronized (this) {
                long seq = -1;
                try {
                    Channel ch = open();
                    seq = ch.getNextPublishSeqNo();
                    unconfirmed.put(seq, new Unconfirmed(props.getCorrelationId(), confirmed));
                    ch.basicPublish(exchange, routingKey, true, props, body);
                } catch (IOException | TimeoutException | RuntimeException ex) {
                    if (seq >= 0) {
                        unconfirmed.remove(seq);
                    }
                    confirmed.completeExceptionally(new TaskPublishException(
                            "could not publish to the broker: " + describe(ex), ex));
                }
            }
            return confirmed;
        }

        private Channel open() throws IOException, TimeoutException {
            Channel ch = channel;
            if (ch != null && ch.isOpen()) {
                return ch;
            }
            ch = connection().createChannel();
            ch.confirmSelect();
            Channel self = ch;
            ch.addConfirmListener((tag, multiple) -> settle(tag, multiple, null),
                    (tag, multiple) -> settle(tag, multiple, "the broker refused the message (nack)"));
            ch.addReturnListener(ret -> {
                // A return precedes the ack of the same message on the same channel.
                String id = ret.getProperties().getCorrelationId();
                if (id != null) {
                    returned.put(id, "unroutable: no queue for exchange '" + ret.getExchange() + "' routing key '"
                            + ret.getRoutingKey() + "' (" + ret.getReplyCode() + " " + ret.getReplyText() + ")");
                }
            });
            ch.addShutdownListener(cause -> failAll(self, "the connection to the broker was lost before it confirmed: "
                    + describe(cause)));
            channel = ch;
            return ch;
        }

        private void settle(long tag, boolean multiple, @Nullable String nackReason) {
            var settled = multiple ? unconfirmed.headMap(tag, true) : unconfirmed.subMap(tag, true, tag, true);
            for (var it = settled.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                it.remove();
                Unconfirmed message = entry.getValue();
                String problem = nackReason;
                if (problem == null && !returned.isEmpty() && message.correlationId() != null) {
                    problem = returned.remove(message.correlationId());
                }
                if (problem == null) {
                    message.confirmed().complete(null);
                } else {
                    message.confirmed().completeExceptionally(new TaskPublishException(problem));
                }
            }
        }

        private void failAll(Channel closed, String reason) {
            synchronized (this) {
                if (channel == closed) {
                    channel = null;
                }
            }
            for (var it = unconfirmed.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                it.remove();
                entry.getValue().confirmed().completeExceptionally(new TaskPublishException(reason));
            }
            returned.clear();
        }
    }

    private record Unconfirmed(@Nullable String correlationId, CompletableFuture<Void> confirmed) {
    }
}
