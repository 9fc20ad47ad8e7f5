package dev.bullpen.autoconfigure;

import dev.bullpen.client.TaskClientSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bullpen.client.*}: how the {@link dev.bullpen.client.TaskClient} publishes.
 *
 * @param defaultQueue the queue for tasks that name none and match no {@code bullpen.routes}
 * @param confirmTimeout how long a send waits for the broker's confirm
 * @param channels AMQP channels publishing in parallel
 * @param createMissingQueues declare a queue on first use, as Celery does
 * @param expectResults listen for each sent task's result from before it is published (see
 *        {@link TaskClientSettings#expectResults()}); the producer turns it off
 */
@ConfigurationProperties("bullpen.client")
public record ClientProperties(@DefaultValue("celery") String defaultQueue,
        @DefaultValue("10s") Duration confirmTimeout, @DefaultValue("2") int channels,
        @DefaultValue("true") boolean createMissingQueues, @DefaultValue("true") boolean expectResults) {

    TaskClientSettings toSettings(RoutingProperties routing) {
        return new TaskClientSettings(defaultQueue, confirmTimeout, channels, createMissingQueues, routing.toRoutes(),
                routing.queues(), expectResults);
    }
}
