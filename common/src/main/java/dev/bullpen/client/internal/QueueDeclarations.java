package dev.bullpen.client.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.QueueMismatchException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Makes sure a queue exists before the first task is sent to it, declared as Celery declares it
 * (durable queue bound to a durable direct exchange of the same name), so Celery clients and
 * workers can share it, with the arguments of its {@link QueueDefinition} if it has one.
 *
 * <p>A queue without a definition that exists already is left alone, whatever its arguments. A
 * queue with one is always declared: that creates it, or checks it has the same arguments, and a
 * queue declared otherwise is a {@link QueueMismatchException} naming the argument that differs,
 * not a bare {@code PRECONDITION_FAILED}.
 */
public final class QueueDeclarations {

    /** AMQP's reply code for a declaration that does not match the queue that exists. */
    private static final int PRECONDITION_FAILED = 406;

    private final ConfirmingPublisher publisher;
    private final boolean createMissing;
    private final Map<String, QueueDefinition> definitions;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public QueueDeclarations(ConfirmingPublisher publisher, boolean createMissing) {
        this(publisher, createMissing, Map.of());
    }

    public QueueDeclarations(ConfirmingPublisher publisher, boolean createMissing,
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
    public void ensure(String queue) {
        if (!createMissing || known.contains(queue)) {
            return;
        }
        QueueDefinition definition = definitions.get(queue);
        boolean declare = definition != null || !publisher.withChannel(ch -> exists(ch, queue));
        if (declare) {
            publisher.withChannel(ch -> {
                declare(ch, queue, definition);
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

    /** A queue as Celery declares its default one: durable, no arguments. */
    public static void declareLikeCelery(Channel ch, String queue) throws IOException {
        declare(ch, queue, QueueDefinition.plain());
    }

    /**
     * Durable direct exchange and durable queue of the same name, bound with the queue's name, the
     * queue with its definition's arguments (none when {@code definition} is null).
     *
     * @throws QueueMismatchException when the queue exists with other arguments; the broker has
     *         closed {@code ch} then
     */
    public static void declare(Channel ch, String queue, @Nullable QueueDefinition definition) throws IOException {
        Map<String, Object> arguments = definition == null ? Map.of() : definition.arguments();
        ch.exchangeDeclare(queue, "direct", true);
        try {
            ch.queueDeclare(queue, true, false, false, arguments.isEmpty() ? null : arguments);
        } catch (IOException ex) {
            String refusal = preconditionFailed(ex.getCause());
            if (refusal != null) {
                throw new QueueMismatchException(queue, arguments, refusal);
            }
            throw ex;
        }
        ch.queueBind(queue, queue, queue);
    }

    /** The broker's reply text when it closed the channel because a declaration did not match. */
    private static @Nullable String preconditionFailed(@Nullable Throwable cause) {
        if (cause instanceof ShutdownSignalException signal && signal.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == PRECONDITION_FAILED) {
            return close.getReplyText();
        }
        return null;
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
