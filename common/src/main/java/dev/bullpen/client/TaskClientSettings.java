package dev.bullpen.client;

import java.time.Duration;

/**
 * How a {@link TaskClient} publishes.
 *
 * @param defaultQueue the queue used when a call names none; Celery's is {@code celery}
 * @param confirmTimeout how long {@link TaskClient#send} waits for the broker's confirm
 * @param channels how many AMQP channels publish in parallel
 * @param createMissingQueues declare a queue the first time a task is sent to it, as Celery's
 *        {@code task_create_missing_queues} does; when false, sending to a missing queue fails
 */
public record TaskClientSettings(String defaultQueue, Duration confirmTimeout, int channels,
        boolean createMissingQueues) {

    public TaskClientSettings {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1");
        }
    }

    /** Queue {@code celery}, 10 s confirm timeout, 2 channels, missing queues created. */
    public static TaskClientSettings defaults() {
        return new TaskClientSettings("celery", Duration.ofSeconds(10), 2, true);
    }
}
