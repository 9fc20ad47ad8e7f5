package dev.bullpen.client.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import dev.bullpen.client.TaskPublishException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
    private final ExecutorService settlements = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("bullpen-publish-confirm-", 0).factory());
    private volatile @Nullable Connection connection;
    private volatile @Nullable String blockedReason;
    private volatile boolean closed;

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
        if (this.factory.getChannelRpcTimeout() == 0 || this.factory.getChannelRpcTimeout() > 10_000) {
            // Likewise a broker that stops answering a declaration (default: ten minutes).
            this.factory.setChannelRpcTimeout(10_000);
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
        if (closed) {
            return CompletableFuture.failedFuture(new TaskPublishException("the publisher is closed"));
        }
        String blocked = blockedReason;
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
    public <T> T withChannel(ChannelWork<T> work) {
        if (closed) {
            throw new TaskPublishException("the publisher is closed");
        }
        Channel channel = null;
        try {
            channel = connection().createChannel();
            if (channel == null) {
                throw new TaskPublishException("the broker has no channel left for this connection");
            }
            return work.apply(channel);
        } catch (IOException | TimeoutException | ShutdownSignalException ex) {
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
    public interface ChannelWork<T> {
        T apply(Channel channel) throws IOException;
    }

    /** Closes the connection; messages still unconfirmed fail. Later publishes fail at once. */
    @Override
    public void close() {
        closed = true;
        Connection c;
        synchronized (connectionLock) {
            c = connection;
        }
        if (c != null && c.isOpen()) {
            try {
                c.close(2000);
            } catch (IOException | AlreadyClosedException ignored) {
                // closing anyway
            }
        }
        settlements.shutdown();
    }

    private Connection connection() throws IOException, TimeoutException {
        Connection c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        synchronized (connectionLock) {
            if (closed) {
                throw new IllegalStateException("the publisher is closed");
            }
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
                    seq = ch.channel.getNextPublishSeqNo();
                    ch.unconfirmed.put(seq, new Unconfirmed(exchange, routingKey, body, confirmed));
                    ch.channel.basicPublish(exchange, routingKey, true, props, body);
                } catch (IOException | TimeoutException | RuntimeException ex) {
                    if (ch != null && seq >= 0) {
                        ch.unconfirmed.remove(seq);
                    }
                    confirmed.completeExceptionally(new TaskPublishException(
                            "could not publish to the broker: " + describe(ex), ex));
                }
            }
            return confirmed;
        }

        private ConfirmChannel open() throws IOException, TimeoutException {
            ConfirmChannel ch = current;
            if (ch != null && ch.channel.isOpen()) {
                return ch;
            }
            if (closed) {
                throw new IllegalStateException("the publisher is closed");
            }
            ch = new ConfirmChannel(connection().createChannel());
            ConfirmChannel opened = ch;
            opened.channel.addShutdownListener(cause -> {
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

    /** A confirm-mode channel and the messages published on it that the broker has not settled yet. */
    private final class ConfirmChannel {

        final Channel channel;
        final ConcurrentNavigableMap<Long, Unconfirmed> unconfirmed = new ConcurrentSkipListMap<>();

        ConfirmChannel(Channel channel) throws IOException {
            this.channel = channel;
            channel.confirmSelect();
            channel.addConfirmListener((tag, multiple) -> settle(tag, multiple, null),
                    (tag, multiple) -> settle(tag, multiple, "the broker refused the message (nack)"));
            channel.addReturnListener(this::returned);
        }

        /**
         * The broker sends a message's basic.return before its ack, on this channel, in publish order.
         * A return names no sequence number, so it goes to the oldest unsettled, not yet returned
         * message with the same exchange, routing key and body. That needs no correlation id or
         * extra header, so any message (a dead letter too) is covered.
         */
        private void returned(Return ret) {
            String reason = "unroutable: no queue for exchange '" + ret.getExchange() + "' routing key '"
                    + ret.getRoutingKey() + "' (" + ret.getReplyCode() + " " + ret.getReplyText() + ")";
            for (Unconfirmed message : unconfirmed.values()) {
                if (message.returned == null && message.exchange.equals(ret.getExchange())
                        && message.routingKey.equals(ret.getRoutingKey()) && Arrays.equals(message.body, ret.getBody())) {
                    message.returned = reason;
                    return;
                }
            }
        }

        private void settle(long tag, boolean multiple, @Nullable String nackReason) {
            var settled = multiple ? unconfirmed.headMap(tag, true) : unconfirmed.subMap(tag, true, tag, true);
            List<Runnable> outcomes = new ArrayList<>();
            for (var it = settled.entrySet().iterator(); it.hasNext(); ) {
                Unconfirmed message = it.next().getValue();
                it.remove();
                String problem = nackReason != null ? nackReason : message.returned;
                outcomes.add(problem == null
                        ? () -> message.confirmed.complete(null)
                        : () -> message.confirmed.completeExceptionally(new TaskPublishException(problem)));
            }
            settleOffThisThread(outcomes);
        }

        void failAll(String reason) {
            List<Runnable> outcomes = new ArrayList<>();
            for (var it = unconfirmed.values().iterator(); it.hasNext(); ) {
                Unconfirmed message = it.next();
                it.remove();
                outcomes.add(() -> message.confirmed.completeExceptionally(new TaskPublishException(reason)));
            }
            settleOffThisThread(outcomes);
        }
    }

    /**
     * Confirms arrive on the connection's own thread. A caller's continuation that talks to the broker
     * again (send from a sendAsync callback, declare a queue) would wait there for a reply only that
     * thread can read, so futures are completed elsewhere.
     */
    private void settleOffThisThread(List<Runnable> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        try {
            settlements.execute(() -> outcomes.forEach(Runnable::run));
        } catch (RejectedExecutionException ex) {
            outcomes.forEach(Runnable::run);
        }
    }

    private static final class Unconfirmed {

        final String exchange;
        final String routingKey;
        final byte[] body;
        final CompletableFuture<Void> confirmed;
        /** Why the broker returned it; set on the connection thread before the ack that reads it. */
        volatile @Nullable String returned;

        Unconfirmed(String exchange, String routingKey, byte[] body, CompletableFuture<Void> confirmed) {
            this.exchange = exchange;
            this.routingKey = routingKey;
            this.body = body;
            this.confirmed = confirmed;
        }
    }
}
