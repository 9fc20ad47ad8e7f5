package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.test.BrokerManagement;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.test.InProcessWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Priority queues on the real broker: tasks waiting in a queue declared with {@code x-max-priority}
 * run highest priority first on a worker with prefetch 1; the worker declares the queue with the
 * argument itself; and a queue that exists without it keeps the worker from consuming, saying why.
 */
class PriorityIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String PRIORITY = services.queue("priority");
    static final String DECLARED_BY_WORKER = services.queue("declared-by-worker");
    static final String PLAIN = services.queue("plain");
    static final Duration WAIT = Duration.ofSeconds(30);

    /** The order in which the recording task ran, by its argument. */
    static final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    static RedisResultBackend results;
    static TaskClient client;

    @BeforeAll
    static void connect() {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofHours(1));
        client = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(new TaskClientSettings(services.queue("default"), Duration.ofSeconds(10), 1, true)
                        .withQueues(Map.of(PRIORITY, QueueDefinition.withMaxPriority(9)))).build();
    }

    @AfterAll
    static void disconnect() {
        client.close();
        results.close();
    }

    @Test
    void waitingTasksOfHigherPriorityRunFirst() throws Exception {
        // No worker yet: all of them wait in the queue, the low ones sent first.
        for (int i = 0; i < 5; i++) {
            client.send("test.record", List.of("low-" + i), Map.of(), TaskOptions.defaults().queue(PRIORITY).priority(1));
        }
        for (int i = 0; i < 5; i++) {
            client.send("test.record", List.of("high-" + i), Map.of(), TaskOptions.defaults().queue(PRIORITY).priority(8));
        }
        client.send("test.record", List.of("top"), Map.of(), TaskOptions.defaults().queue(PRIORITY).priority(9));

        try (ConfigurableApplicationContext worker = InProcessWorker.on(services).properties(Map.of(
                "bullpen.worker.queues", PRIORITY + "," + DECLARED_BY_WORKER,
                "bullpen.worker.prefetch", "1",
                "bullpen.worker.concurrency", "1",
                "bullpen.queues[" + PRIORITY + "].max-priority", "9",
                "bullpen.queues[" + DECLARED_BY_WORKER + "].max-priority", "4")).with(Config.class).run()) {
            await().atMost(WAIT).until(() -> ran.size() == 11);

            assertThat(new BrokerManagement(services).queue(services.virtualHost(), DECLARED_BY_WORKER).path("arguments")
                    .path("x-max-priority").asInt()).as("the worker declared it from bullpen.queues").isEqualTo(4);
        }
        // Highest first; within a priority, first in first out.
        assertThat(ran).containsExactly("top", "high-0", "high-1", "high-2", "high-3", "high-4",
                "low-0", "low-1", "low-2", "low-3", "low-4");
        assertThat(new BrokerManagement(services).queue(services.virtualHost(), PRIORITY).path("arguments").path("x-max-priority").asInt())
                .isEqualTo(9);
    }

    @Test
    void aWorkerWhoseQueueExistsWithoutMaxPrioritySaysSoAndDoesNotConsume() throws Exception {
        try (Connection amqp = services.amqpConnectionFactory().newConnection("bullpen-test-celery");
             Channel ch = amqp.createChannel()) {
            BrokerTopology.declareQueueLikeCelery(ch, PLAIN); // as Celery's default queue: no arguments
        }

        try (ConfigurableApplicationContext context = InProcessWorker.on(services).properties(Map.of(
                "bullpen.worker.queues", PLAIN,
                "bullpen.queues[" + PLAIN + "].max-priority", "9")).run()) {
            Worker worker = context.getBean(Worker.class);
            await().atMost(WAIT).untilAsserted(() -> assertThat(worker.problem())
                    .contains("queue '" + PLAIN + "' already exists with other arguments")
                    .contains("inequivalent arg 'x-max-priority'")
                    .contains("bullpen.queues[" + PLAIN + "]"));
            assertThat(worker.isConsuming()).isFalse();
        }
    }

    @TestConfiguration
    static class Config {

        @Bean
        RecordingTasks recordingTasks() {
            return new RecordingTasks();
        }
    }

    static class RecordingTasks {

        @Task("test.record")
        String record(String label) {
            ran.add(label);
            return label;
        }
    }
}
