package dev.bullpen.producer.task;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.client.TaskPublishException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.stereotype.Component;

/**
 * Makes sure a task's queue exists before the task is sent, declared as Celery declares it (durable
 * queue bound to a durable direct exchange of the same name), so Celery workers can share it.
 *
 * <p>{@link dev.bullpen.client.TaskClient} means to do this itself, but its declaration of a queue
 * that is really missing fails (the 404 of its passive check closes the channel it then tries to
 * close again). Declaring through Spring AMQP's admin first sidesteps that: the client then finds
 * the queue. A queue that exists is left alone whatever its arguments, since redeclaring it
 * differently would fail.
 */
@Component
class QueueDeclarer {

    private final AmqpAdmin admin;
    private final boolean createMissing;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    QueueDeclarer(AmqpAdmin admin, ClientProperties clientProperties) {
        this.admin = admin;
        this.createMissing = clientProperties.createMissingQueues();
    }

    /**
     * @throws InvalidTaskRequestException when the queue is missing and creating queues is off
     * @throws TaskPublishException when the broker cannot be reached
     */
    void ensure(String queue) {
        if (known.contains(queue)) {
            return;
        }
        try {
            if (admin.getQueueProperties(queue) == null) {
                if (!createMissing) {
                    throw new InvalidTaskRequestException("queue", "queue '" + queue
                            + "' does not exist, and bullpen.client.create-missing-queues is off");
                }
                DirectExchange exchange = new DirectExchange(queue, true, false);
                Queue declared = new Queue(queue, true, false, false);
                admin.declareExchange(exchange);
                admin.declareQueue(declared);
                admin.declareBinding(BindingBuilder.bind(declared).to(exchange).with(queue));
            }
        } catch (AmqpException ex) {
            throw new TaskPublishException("could not reach the broker to check queue '" + queue + "': "
                    + ex.getMessage(), ex);
        }
        known.add(queue);
    }
}
