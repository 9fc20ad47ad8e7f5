package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.test.BullpenServices;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Raw AMQP access to the test broker for assertions, and cleanup of the queues a test class made.
 *
 * <p>It connects from {@link BullpenServices#springProperties()} rather than
 * {@link BullpenServices#amqpConnectionFactory()}: the latter reads the default URI's path
 * {@code /} as the empty virtual host, which the broker refuses, so the extension's own queue
 * cleanup fails (silently). Redis keys are still cleaned by the extension.
 */
final class TestBroker implements AutoCloseable {

    private final BullpenServices services;
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private Connection connection;

    TestBroker(BullpenServices services) {
        this.services = services;
    }

    /**
     * A queue name in the class's namespace, deleted (with its exchange) on {@link #close()}. Named
     * like {@link BullpenServices#queue(String)} but not registered there, since the extension's
     * cleanup cannot connect.
     */
    String queue(String name) {
        String queue = services.namespace() + "." + name;
        queues.add(queue);
        return queue;
    }

    /** Declares the queue as Celery does, so that it can be counted before anything is sent to it. */
    void declare(String queue) throws IOException {
        try (Channel channel = connection().createChannel()) {
            BrokerTopology.declareQueueLikeCelery(channel, queue);
        } catch (java.util.concurrent.TimeoutException ex) {
            throw new IOException(ex);
        }
    }

    /** Takes the next message off the queue, failing when there is none. */
    GetResponse take(String queue) throws IOException {
        try (Channel channel = connection().createChannel()) {
            GetResponse message = channel.basicGet(queue, true);
            assertThat(message).as("a message on " + queue).isNotNull();
            return message;
        } catch (java.util.concurrent.TimeoutException ex) {
            throw new IOException(ex);
        }
    }

    /** How many messages wait in the queue (a passive declare: the queue must exist). */
    long messageCount(String queue) throws IOException {
        try (Channel channel = connection().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (java.util.concurrent.TimeoutException ex) {
            throw new IOException(ex);
        }
    }

    ConnectionFactory connectionFactory() {
        Map<String, String> p = services.springProperties();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(p.get("spring.rabbitmq.host"));
        factory.setPort(Integer.parseInt(p.get("spring.rabbitmq.port")));
        factory.setUsername(p.get("spring.rabbitmq.username"));
        factory.setPassword(p.get("spring.rabbitmq.password"));
        factory.setVirtualHost(p.get("spring.rabbitmq.virtual-host"));
        return factory;
    }

    private synchronized Connection connection() throws IOException {
        if (connection == null || !connection.isOpen()) {
            try {
                connection = connectionFactory().newConnection("bullpen-producer-test");
            } catch (java.util.concurrent.TimeoutException ex) {
                throw new IOException(ex);
            }
        }
        return connection;
    }

    @Override
    public synchronized void close() throws IOException {
        for (String queue : queues) {
            try (Channel channel = connection().createChannel()) {
                channel.queueDelete(queue);
                channel.exchangeDelete(queue);
            } catch (Exception ex) {
                // Never created, e.g. a queue only named in a refused request: the 404 closed the channel.
            }
        }
        if (connection != null && connection.isOpen()) {
            connection.close();
        }
    }
}
