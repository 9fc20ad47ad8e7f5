package dev.bullpen.worker.internal.topology;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.QueueMismatchException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the worker declares before it consumes, and again after every reconnect: the delayed-delivery
 * exchange, its queues (as Celery declares them, or with the arguments of their {@code bullpen.queues}
 * definitions), their dead-letter queues, and its direct queue.
 */
public final class WorkerTopology {

    private static final Logger log = LoggerFactory.getLogger(WorkerTopology.class);

    private final List<String> queues;
    private final Map<String, QueueDefinition> definitions;
    private final @Nullable DirectQueue direct;

    /** @param direct this worker's own queue, null with {@code bullpen.worker.direct-queue=false} */
    public WorkerTopology(List<String> queues, Map<String, QueueDefinition> definitions, @Nullable DirectQueue direct) {
        this.queues = List.copyOf(queues);
        this.definitions = Map.copyOf(definitions);
        this.direct = direct;
    }

    /**
     * The client would declare queues, exchanges and bindings again on the channels they were first
     * declared on, which are closed by then, so a broker that lost them (a new node, no volume) would
     * stay without them and the consumers' recovery would fail. The worker declares its own topology
     * again when recovery starts (see {@link #redeclareOnRecovery}) and leaves the client only the consumers.
     */
    public static void recoverConsumersOnly(ConnectionFactory factory) {
        factory.setTopologyRecoveryFilter(new TopologyRecoveryFilter() {
            @Override
            public boolean filterExchange(RecordedExchange exchange) {
                return false;
            }

            @Override
            public boolean filterQueue(RecordedQueue queue) {
                return false;
            }

            @Override
            public boolean filterBinding(RecordedBinding binding) {
                return false;
            }
        });
    }

    /** Declares the delayed-delivery exchange, which retries and early tasks are parked through. */
    public void declareDelayedDelivery(Connection c) throws IOException {
        try (Channel ch = c.createChannel()) {
            DelayedDelivery.declare(ch);
        } catch (TimeoutException ex) {
            throw new IOException(ex);
        }
    }

    /** Declares the direct queue, its exchange and binding, when the worker has one. */
    public void declareDirectQueue(Connection c) throws IOException {
        if (direct != null) {
            direct.declare(c);
        }
    }

    /** After a reconnect, declares the queues again before the client subscribes its consumers to them. */
    public void redeclareOnRecovery(Connection c) {
        if (!(c instanceof Recoverable recoverable)) {
            return;
        }
        recoverable.addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recovered) {
            }

            @Override
            public void handleRecoveryStarted(Recoverable recovering) {
            }

            @Override
            public void handleTopologyRecoveryStarted(Recoverable recovering) {
                try {
                    try (Channel ch = c.createChannel()) {
                        DelayedDelivery.declare(ch);
                    }
                    for (String queue : queues) {
                        declare(c, queue);
                    }
                    if (direct != null) {
                        direct.declare(c);
                    }
                } catch (IOException | TimeoutException | RuntimeException ex) {
                    log.error("Could not declare {} again after reconnecting; consuming them may fail: {}",
                            queues, ex.toString());
                }
            }
        });
    }

    /**
     * Declares a missing queue exactly as Celery would, so both can share it, and its dead-letter
     * queue. A queue with a definition is always declared, which checks its arguments: one declared
     * otherwise is a {@link QueueMismatchException}.
     */
    public void declare(Connection c, String queue) throws IOException {
        QueueDefinition definition = definitions.get(queue);
        if (definition != null) {
            try (Channel ch = c.createChannel()) {
                BrokerTopology.declareQueue(ch, queue, definition);
                DeadLetters.declare(ch, queue);
            } catch (TimeoutException ex) {
                throw new IOException(ex);
            }
            return;
        }
        boolean exists;
        try (Channel probe = c.createChannel()) {
            probe.queueDeclarePassive(queue);
            exists = true;
        } catch (IOException ex) {
            exists = false; // 404 closed the probe channel
        } catch (TimeoutException ex) {
            exists = true;
        }
        try (Channel ch = c.createChannel()) {
            if (!exists) {
                BrokerTopology.declareQueueLikeCelery(ch, queue);
            }
            DeadLetters.declare(ch, queue);
        } catch (TimeoutException ex) {
            throw new IOException(ex);
        }
    }
}
