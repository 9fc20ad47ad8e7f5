package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With {@code bullpen.worker.track-started}, a running task reads as STARTED with the worker's pid and name. */
@SpringBootTest(classes = WorkerApplication.class,
        properties = {"server.port=0", "bullpen.worker.track-started=true"})
class TrackStartedIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("tasks");
    /** Of this class's namespace, so that its direct queue is deleted after it. */
    static final String NODE = services.workerName("started");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.name", () -> NODE);
    }

    @Autowired
    TaskClient client;

    @Test
    void aRunningTaskIsStartedThenSucceeds() {
        var handle = client.send("demo.sleep", List.of(1.5));

        await().atMost(Duration.ofSeconds(10)).until(() -> handle.state() == TaskState.STARTED);
        var started = handle.result();
        assertThat(started.result().get("hostname").stringValue()).isEqualTo(NODE);
        assertThat(started.result().get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(started.meta().worker()).isEqualTo(NODE);

        assertThat(handle.get(Duration.ofSeconds(20), Double.class)).isEqualTo(1.5);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
    }
}
