package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every outcome a task can have moves its own counter, tagged with the task and the queue, and the
 * runtime and wait timers record the tasks that ran; the client counts what it published.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class TaskMetricsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("metrics");
    static final Duration WAIT = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @Autowired
    TaskClient client;

    @Autowired
    MeterRegistry meters;

    @Test
    void eachOutcomeIsCountedByTaskAndQueue() {
        for (int i = 0; i < 3; i++) {
            client.send("demo.add", List.of(i, 1)).get(WAIT, Integer.class);
        }
        TaskHandle failed = client.send("demo.fail", List.of("on purpose"));
        await().atMost(WAIT).until(() -> failed.state() == TaskState.FAILURE);
        // Fails once, is retried after ~1 s, then succeeds.
        assertThat(client.send("demo.flaky", List.of(1)).get(WAIT, Integer.class)).isNotNull();
        TaskHandle expired = client.send("demo.add", List.of(1, 1), Map.of(),
                TaskOptions.defaults().expires(Instant.now().minusSeconds(60)));
        await().atMost(WAIT).until(() -> expired.state() == TaskState.REVOKED);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(count(MeterNames.TASKS_SUCCEEDED, "demo.add")).isEqualTo(3);
            assertThat(count(MeterNames.TASKS_REVOKED, "demo.add")).isEqualTo(1);
            assertThat(count(MeterNames.TASKS_RECEIVED, "demo.add")).isEqualTo(4);
            assertThat(count(MeterNames.TASKS_STARTED, "demo.add")).isEqualTo(3);
            assertThat(count(MeterNames.TASKS_FAILED, "demo.fail")).isEqualTo(1);
            assertThat(count(MeterNames.TASKS_SUCCEEDED, "demo.fail")).isZero();
            assertThat(count(MeterNames.TASKS_RETRIED, "demo.flaky")).isEqualTo(1);
            assertThat(count(MeterNames.TASKS_SUCCEEDED, "demo.flaky")).isEqualTo(1);
            assertThat(count(MeterNames.TASKS_RECEIVED, "demo.flaky")).isEqualTo(2);
        });
        Timer runtime = meters.get(MeterNames.TASK_RUNTIME).tags(MeterNames.TAG_TASK, "demo.add", MeterNames.TAG_QUEUE, QUEUE).timer();
        assertThat(runtime.count()).isEqualTo(3);
        Timer wait = meters.get(MeterNames.TASK_WAIT).tags(MeterNames.TAG_TASK, "demo.add", MeterNames.TAG_QUEUE, QUEUE).timer();
        assertThat(wait.count()).as("tasks from Bullpen's client carry their publish time").isEqualTo(3);
        assertThat(wait.max(java.util.concurrent.TimeUnit.SECONDS)).isLessThan(WAIT.toSeconds());
        assertThat(meters.get(MeterNames.TASKS_PUBLISHED).tags(MeterNames.TAG_TASK, "demo.add", MeterNames.TAG_QUEUE, QUEUE)
                .counter().count()).isEqualTo(4);
        assertThat(meters.get(MeterNames.TASKS_IN_FLIGHT).gauge().value()).isZero();
    }

    @Test
    void namesTheWorkerHasNoTaskForShareOneTag() {
        String name = "no.such.task." + System.nanoTime();
        TaskHandle unknown = client.send(name, List.of());
        await().atMost(WAIT).until(() -> unknown.state() == TaskState.FAILURE);
        await().atMost(WAIT).untilAsserted(() -> assertThat(count(MeterNames.TASKS_FAILED, "unregistered")).isEqualTo(1));
        assertThat(count(MeterNames.TASKS_RECEIVED, "unregistered")).isEqualTo(1);
        assertThat(meters.find(MeterNames.TASKS_RECEIVED).tag(MeterNames.TAG_TASK, name).counters()).isEmpty();
    }

    private double count(String name, String task) {
        var counter = meters.find(name).tags(MeterNames.TAG_TASK, task, MeterNames.TAG_QUEUE, QUEUE).counter();
        return counter == null ? 0 : counter.count();
    }
}
