package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A worker with no {@code bullpen.worker.exec.allowed-programs}: {@code bullpen.exec} is registered and runs nothing. */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CommandTaskDisabledIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("exec-off");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @Autowired
    TaskClient client;

    @Test
    void everyCallIsAFailureNamingThePropertyToSet() {
        var handle = client.send(CommandTask.NAME, List.of(), Map.of("program", "echo", "args", List.of("hi")),
                TaskOptions.defaults());

        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(Duration.ofSeconds(30)));

        assertThat(failed).isNotNull();
        assertThat(failed.remoteType()).isEqualTo("ProgramNotAllowed");
        assertThat(failed.remoteMessage()).contains("its allowlist is empty", "bullpen.worker.exec.allowed-programs",
                "BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS");
    }
}
