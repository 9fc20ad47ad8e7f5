package dev.bullpen.client;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes sure a queue exists before the first task is sent to it, declared as Celery declares it
 * ({@link BrokerTopology#declareQueue}), so Celery clients and
 * workers can share it, with the arguments of its {@link QueueDefinition} if it has one.
 *
 * <p>A queue without a definition that exists already is left alone, whatever its arguments. A
 * queue with one is always declared: that creates it, or checks it has the same arguments, and a
 * queue declared otherwise is a {@link QueueMismatchException} naming the argument that differs,
 * not a bare {@code PRECONDITION_FAILED}.
 */
final class QueueDeclarations {

    private final ConfirmingPublisher publisher;
    private final boolean createMissing;
    private final Map<String, QueueDefinition> definitions;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    QueueDeclarations(ConfirmingPublisher publisher, boolean createMissing) {
        this(publisher, createMissing, Map.of());
    }

    QueueDeclarations(ConfirmingPublisher publisher, boolean createMissing,
            Map<String, QueueDefinition> definitions) {
        this.publisher = publisher;
        this.createMissing = createMissing;
        this.definitions = Map.copyOf(definitions);
    }

    /**
     * Declares the queue if creating is on and it is missing or has a definition; cheap after the
     * first call.
     *
     * @throws QueueMismatchException when the queue exists with other arguments than its definition
     */
    void ensure(String queue) {
        if (!createMissing || known.contains(queue)) {
            return;
        }
        QueueDefinition definition = definitions.get(queue);
        boolean declare = definition != null || !publisher.withChannel(ch -> exists(ch, queue));
        if (declare) {
            publisher.withChannel(ch -> {
                BrokerTopology.declareQueue(ch, queue, definition);
                return null;
            });
        }
        known.add(queue);
    }

    /**
     * Forgets that the queue was declared, so that the next {@link #ensure} checks again: after a
     * failed publish, which may mean the broker lost the queue (a new node, or one without its data).
     */
    void forget(String queue) {
        known.remove(queue);
    }

    private static boolean exists(Channel ch, String queue) {
        try {
            ch.queueDeclarePassive(queue);
            return true;
        } catch (IOException ex) {
            // 404: the broker closed this throwaway channel, which is what we wanted to learn.
            return false;
        }
    }
}
