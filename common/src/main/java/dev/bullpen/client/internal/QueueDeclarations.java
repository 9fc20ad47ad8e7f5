package dev.bullpen.client.internal;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes sure a queue exists before the first task is sent to it, declared exactly as Celery
 * declares it (durable queue, no arguments, bound to a durable direct exchange of the same name),
 * so Celery clients and workers can share it. A queue that exists already is left alone, whatever
 * its arguments, since redeclaring it differently would fail.
 */
public final class QueueDeclarations {

    private final ConfirmingPublisher publisher;
    private final boolean createMissing;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public QueueDeclarations(ConfirmingPublisher publisher, boolean createMissing) {
        this.publisher = publisher;
        this.createMissing = createMissing;
    }

    /** Declares the queue if it is missing and creating is on; cheap after the first call. */
    public void ensure(String queue) {
        if (!createMissing || known.contains(queue)) {
            return;
        }
        boolean exists = publisher.withChannel(ch -> exists(ch, queue));
        if (!exists) {
            publisher.withChannel(ch -> {
                declareLikeCelery(ch, queue);
                return null;
            });
        }
        known.add(queue);
    }

    /**
     * Forgets that the queue was declared, so that the next {@link #ensure} checks again: after a
     * failed publish, which may mean the broker lost the queue (a new node, or one without its data).
     */
    public void forget(String queue) {
        known.remove(queue);
    }

    /** Durable direct exchange and durable queue of the same name, bound with the queue's name. */
    public static void declareLikeCelery(Channel ch, String queue) throws IOException {
        ch.exchangeDeclare(queue, "direct", true);
        ch.queueDeclare(queue, true, false, false, null);
        ch.queueBind(queue, queue, queue);
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
