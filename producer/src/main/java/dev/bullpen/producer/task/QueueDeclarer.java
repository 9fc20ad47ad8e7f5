package dev.bullpen.producer.task;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.client.TaskPublishException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.stereotype.Component;

/**
 * Refuses, as a 400 naming the field, a task for a queue that does not exist when
 * {@code bullpen.client.create-missing-queues} is off. When it is on, the
 * {@link dev.bullpen.client.TaskClient} declares the queue itself, as Celery would and with the
 * arguments of {@code bullpen.queues}, the same declaration a worker makes.
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
        if (createMissing || known.contains(queue)) {
            return;
        }
        try {
            if (admin.getQueueProperties(queue) == null) {
                throw new InvalidTaskRequestException("queue", "queue '" + queue
                        + "' does not exist, and bullpen.client.create-missing-queues is off");
            }
        } catch (AmqpException ex) {
            throw new TaskPublishException("could not reach the broker to check queue '" + queue + "': "
                    + ex.getMessage(), ex);
        }
        known.add(queue);
    }
}
