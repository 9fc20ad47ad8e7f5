package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.test.BullpenServices;
import java.io.IOException;

/**
 * Raw AMQP access to the test broker for assertions, on one connection for the class. The queues it
 * names are the class's {@link BullpenServices#queue(String)}s, which the extension deletes after the class.
 */
final class TestBroker implements AutoCloseable {

    private final BullpenServices services;
    private Connection connection;

    TestBroker(BullpenServices services) {
        this.services = services;
    }

    /** A queue name in the class's namespace, deleted (with its exchange and dead letters) after the class. */
    String queue(String name) {
        return services.queue(name);
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
        return services.amqpConnectionFactory();
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
        if (connection != null && connection.isOpen()) {
            connection.close();
        }
    }
}
