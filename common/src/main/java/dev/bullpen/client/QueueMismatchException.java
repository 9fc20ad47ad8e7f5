package dev.bullpen.client;

import java.util.Map;

/**
 * A queue exists on the broker with other arguments than Bullpen declares it with, typically a
 * Celery-declared plain queue that {@code bullpen.queues.<name>.max-priority} now calls a priority
 * queue, or the other way round. RabbitMQ cannot change a queue's arguments: the message says which
 * argument differs and how to resolve it. Retrying does not help until the queue or the
 * configuration is changed.
 */
public class QueueMismatchException extends TaskPublishException {

    private final String queue;
    private final Map<String, Object> expected;
    private final String brokerReason;

    /**
     * @param queue the queue
     * @param expected the arguments Bullpen declared it with
     * @param brokerReason the broker's reply text, e.g. {@code PRECONDITION_FAILED - inequivalent arg 'x-max-priority' ...}
     */
    public QueueMismatchException(String queue, Map<String, Object> expected, String brokerReason) {
        super(message(queue, expected, brokerReason));
        this.queue = queue;
        this.expected = Map.copyOf(expected);
        this.brokerReason = brokerReason;
    }

    /** The queue declared differently. */
    public String queue() {
        return queue;
    }

    /** The arguments Bullpen declared the queue with (from {@code bullpen.queues}). */
    public Map<String, Object> expected() {
        return expected;
    }

    /** What the broker answered, naming the argument that differs and its current value. */
    public String brokerReason() {
        return brokerReason;
    }

    private static String message(String queue, Map<String, Object> expected, String brokerReason) {
        String wanted = expected.isEmpty() ? "no arguments, as Celery declares it"
                : expected + ", from bullpen.queues[" + queue + "]";
        Object priority = expected.getOrDefault(QueueDefinition.MAX_PRIORITY, "N");
        return "queue '" + queue + "' already exists with other arguments than Bullpen declares it with (" + wanted
                + "); RabbitMQ says: " + brokerReason + ". A queue's arguments cannot change: declare it the same way "
                + "in every client and worker (Celery: Queue('" + queue + "', queue_arguments={'x-max-priority': "
                + priority + "})), or change bullpen.queues[" + queue + "] to match, or delete the queue once drained "
                + "so that it is declared anew";
    }
}
