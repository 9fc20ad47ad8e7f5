package dev.bullpen.client;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The connection one {@link ConfirmingPublisher} and its siblings publish on: opened lazily and
 * opened again on the next use after it is lost, so a broker outage makes publishes fail fast and
 * publishing recovers by itself.
 */
final class PublisherConnection {

    private final ConnectionFactory factory;
    private final String name;
    private final Object lock = new Object();
    /**
     * Where confirms complete futures: they arrive on the connection's own thread, and a caller's
     * continuation that talks to the broker again would wait there for a reply only that thread can read.
     */
    private final ExecutorService settlements = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("bullpen-publish-confirm-", 0).factory());
    private volatile @Nullable Connection connection;
    private volatile @Nullable String blockedReason;
    private volatile boolean closed;

    PublisherConnection(ConnectionFactory factory, String name) {
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
        this.name = name;
    }

    ExecutorService settlements() {
        return settlements;
    }

    /** Why the broker blocks publishers on this connection (a resource alarm), or null. */
    @Nullable String blockedReason() {
        return blockedReason;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * The open connection, opening one if need be.
     *
     * @throws TaskPublishException saying which broker could not be reached and why
     */
    Connection get() {
        Connection c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        synchronized (lock) {
            if (closed) {
                throw new TaskPublishException("the publisher is closed");
            }
            c = connection;
            if (c == null || !c.isOpen()) {
                try {
                    c = factory.newConnection(name);
                } catch (IOException | TimeoutException ex) {
                    throw new TaskPublishException("could not connect to RabbitMQ at " + factory.getHost() + ":"
                            + factory.getPort() + " (vhost '" + factory.getVirtualHost() + "'): "
                            + ConfirmingPublisher.describe(ex), ex);
                }
                c.addBlockedListener(reason -> blockedReason = reason, () -> blockedReason = null);
                blockedReason = null;
                connection = c;
            }
            return c;
        }
    }

    /** Closes the connection; messages still unconfirmed on it fail. */
    void close() {
        Connection c;
        synchronized (lock) {
            closed = true;
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
}
