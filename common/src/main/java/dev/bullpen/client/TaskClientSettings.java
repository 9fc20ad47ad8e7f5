package dev.bullpen.client;

import java.time.Duration;
import java.util.Map;

/**
 * How a {@link TaskClient} publishes.
 *
 * @param defaultQueue the queue used when a call names none and no route matches; Celery's is {@code celery}
 * @param confirmTimeout how long a send waits for the broker's confirm: {@link TaskClient#sendAsync}
 *        fails its future after it, {@link TaskClient#send} throws
 * @param channels how many AMQP channels publish in parallel
 * @param createMissingQueues declare a queue the first time a task is sent to it, as Celery's
 *        {@code task_create_missing_queues} does; when false, sending to a missing queue fails
 * @param routes which queue a task goes to by name when the call names none
 * @param queues how queues are declared, by name; a queue not named here is declared as Celery
 *        declares it (durable, no arguments)
 * @param expectResults listen for each task's result from before it is published, so that waiting
 *        for it later reads nothing; a client whose callers rarely wait through it (an HTTP
 *        producer) turns it off and a wait then costs one read
 */
public record TaskClientSettings(String defaultQueue, Duration confirmTimeout, int channels,
        boolean createMissingQueues, TaskRoutes routes, Map<String, QueueDefinition> queues, boolean expectResults) {

    public TaskClientSettings {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1");
        }
        queues = Map.copyOf(queues);
    }

    /** Settings that expect every result. */
    public TaskClientSettings(String defaultQueue, Duration confirmTimeout, int channels, boolean createMissingQueues,
            TaskRoutes routes, Map<String, QueueDefinition> queues) {
        this(defaultQueue, confirmTimeout, channels, createMissingQueues, routes, queues, true);
    }

    /** Settings without routes or queue definitions, expecting every result. */
    public TaskClientSettings(String defaultQueue, Duration confirmTimeout, int channels, boolean createMissingQueues) {
        this(defaultQueue, confirmTimeout, channels, createMissingQueues, TaskRoutes.none(), Map.of());
    }

    /** Queue {@code celery}, 10 s confirm timeout, 2 channels, missing queues created, no routes. */
    public static TaskClientSettings defaults() {
        return new TaskClientSettings("celery", Duration.ofSeconds(10), 2, true);
    }

    /** A copy with these routes. */
    public TaskClientSettings withRoutes(TaskRoutes routes) {
        return new TaskClientSettings(defaultQueue, confirmTimeout, channels, createMissingQueues, routes, queues,
                expectResults);
    }

    /** A copy with these queue definitions. */
    public TaskClientSettings withQueues(Map<String, QueueDefinition> queues) {
        return new TaskClientSettings(defaultQueue, confirmTimeout, channels, createMissingQueues, routes, queues,
                expectResults);
    }

    /** A copy that does or does not {@linkplain #expectResults expect} results. */
    public TaskClientSettings withExpectResults(boolean expectResults) {
        return new TaskClientSettings(defaultQueue, confirmTimeout, channels, createMissingQueues, routes, queues,
                expectResults);
    }

    /** The queue for a task: the worker's own ({@code <worker>.dq2}), else the one named, else its route, else the default queue. */
    public String queueFor(String task, TaskOptions options) {
        if (options.worker() != null) {
            return BrokerTopology.directQueue(options.worker());
        }
        if (options.queue() != null) {
            return options.queue();
        }
        return routes.queueFor(task).orElse(defaultQueue);
    }
}
