package dev.bullpen.worker.internal.topology;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.bullpen.client.BrokerTopology;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * This worker's own queue, Celery's {@code worker_direct}: {@code <node>.dq2} on the exchange
 * {@code C.dq2}, routing key {@code <node>}, declared as Celery declares it ({@link BrokerTopology#declareDirectQueue}).
 *
 * <p>It is consumed by an <em>exclusive</em> consumer, so the broker itself sees to it that one live
 * worker at most takes a name's tasks: a second worker with the same node name (two on one host
 * with the default {@code bullpen@<host>}, say) is refused it. That worker still consumes the
 * shared queues, says loudly that its name is taken, and tries again every few seconds, so it takes
 * over the name's queue once the other is gone; Celery in the same case only warns
 * ({@code DuplicateNodenameWarning}) and lets both share the queue.
 */
public final class DirectQueue {

    private final String node;

    public DirectQueue(String node) {
        this.node = node;
    }

    /** {@code <node>.dq2}. */
    public String name() {
        return BrokerTopology.directQueue(node);
    }

    /** Declares the exchange, the queue and its binding as Celery does, and the queue's dead-letter queue. */
    void declare(Connection connection) throws IOException {
        try (Channel ch = connection.createChannel()) {
            BrokerTopology.declareDirectQueue(ch, node);
            DeadLetters.declare(ch, name());
        } catch (TimeoutException ex) {
            throw new IOException(ex);
        }
    }

    /** True when the broker refused an exclusive consume because the queue has a consumer already. */
    public static boolean inUse(IOException ex) {
        return ex.getCause() instanceof ShutdownSignalException signal
                && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == AMQP.ACCESS_REFUSED;
    }

    /** What the worker reports while another worker holds its name. */
    public String takenMessage() {
        return "another live worker is named " + node + " and consumes its direct queue " + name()
                + ": tasks sent to " + node + " run there, not here; give each worker its own bullpen.worker.name";
    }
}
