package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real Python Celery client sets {@code time_limit} and {@code soft_time_limit} on a call to a
 * Bullpen task, and its {@code get()} raises Celery's own {@code TimeLimitExceeded} and
 * {@code SoftTimeLimitExceeded}, rebuilt from what the worker stored ({@code exc_module}
 * {@code celery.exceptions}, whose classes are billiard's).
 */
@NeedsPython
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CeleryTimeLimitInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("interop-limits");
    static final List<String> taskIds = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        // Celery 5.2 has no global_keyprefix: use its plain keys, and delete the ones this test makes.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @Test
    void aPythonClientSeesCeleryTimeLimitExceptions() throws Exception {
        Path script = PythonCelery.script("celery_send_time_limits.py");
        String redis = PythonCelery.redisUrl(services);

        String output = PythonCelery.run(script.toString(), services.amqpUri().toString(),
                redis, QUEUE);

        List<String[]> lines = output.strip().lines().map(line -> line.split(" ")).filter(f -> f.length == 5).toList();
        assertThat(lines).as("output:%n%s", output).hasSize(2);
        lines.forEach(fields -> taskIds.add(fields[0]));
        assertThat(lines.get(0)).containsExactly(lines.get(0)[0], "FAILURE", "TimeLimitExceeded", "billiard.exceptions", "(1.0,)");
        assertThat(lines.get(1)).containsExactly(lines.get(1)[0], "FAILURE", "SoftTimeLimitExceeded", "billiard.exceptions",
                "('softtimelimit(1s)exceeded',)");
    }

    @AfterAll
    static void deleteResults() {
        try (var redis = services.redisConnectionFactory().getConnection()) {
            for (String id : taskIds) {
                redis.keyCommands().del(("celery-task-meta-" + id).getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
