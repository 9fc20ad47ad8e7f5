package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.test.InProcessWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The Celery declaration in docs/routing.md (Priorities) of a priority queue ({@code Queue(name, queue_arguments={'x-max-priority': 9})})
 * and Bullpen's {@code bullpen.queues.<name>.max-priority: 9} agree, whichever declares it first, and
 * a Bullpen worker runs the priorities a real Python Celery client sent highest first.
 */
@NeedsPython
class CeleryPriorityInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String FROM_CELERY = services.queue("from-celery");
    static final String FROM_BULLPEN = services.queue("from-bullpen");

    static final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    @Test
    void celeryAndBullpenDeclareTheSamePriorityQueueAndCelerysPrioritiesAreHonoured() throws Exception {
        // Bullpen declares one queue first...
        try (var results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(),
                Duration.ofHours(1));
             var client = TaskClient.builder(services.amqpConnectionFactory(), results)
                     .settings(new TaskClientSettings(FROM_BULLPEN, Duration.ofSeconds(10), 1, true)
                             .withQueues(Map.of(FROM_BULLPEN, QueueDefinition.withMaxPriority(9)))).build()) {
            client.send("test.record", List.of("bullpen"), Map.of(), TaskOptions.defaults().priority(5));
        }
        // ...and Celery redeclares it, and declares the other one first: a mismatch would fail the script.
        Path script = PythonCelery.script("celery_send_priority.py");
        assertThat(PythonCelery.run(script.toString(), services.amqpUri().toString(),
                FROM_CELERY, FROM_BULLPEN)).contains("sent");

        try (ConfigurableApplicationContext context = InProcessWorker.on(services).properties(Map.of(
                "bullpen.worker.queues", FROM_CELERY + "," + FROM_BULLPEN,
                // A name of its own: with the default one, a worker of another test may hold its direct queue.
                "bullpen.worker.name", services.workerName("priority"),
                "bullpen.worker.prefetch", "1",
                "bullpen.worker.concurrency", "1",
                "bullpen.queues[" + FROM_CELERY + "].max-priority", "9",
                "bullpen.queues[" + FROM_BULLPEN + "].max-priority", "9")).with(Config.class).run()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ran.size() == 5);
            assertThat(context.getBean(Worker.class).problem()).isNull();
        }
        assertThat(ran).contains("bullpen");
        assertThat(ran.stream().filter(label -> !label.equals("bullpen")).toList())
                .containsExactly("high-0", "high-1", "low-0", "low-1");
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
