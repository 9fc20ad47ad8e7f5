package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Retries as a Python Celery client sees them: while the retry waits, {@code AsyncResult.state} is
 * RETRY and its result the exception; then SUCCESS with {@code AsyncResult.retries} counted.
 */
@NeedsPython
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CeleryRetryInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("retry-interop");
    static String taskId;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        // Celery 5.2 has no global_keyprefix: use its plain keys, and delete the one this test makes.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @Test
    void aPythonCeleryClientSeesRetryThenTheResultWithItsRetries() throws Exception {
        Path script = PythonCelery.script("celery_send_flaky.py");
        String redis = PythonCelery.redisUrl(services);

        String output = PythonCelery.run(script.toString(), services.amqpUri().toString(),
                redis, QUEUE);

        String[] fields = output.strip().split(" ");
        taskId = fields[0];
        assertThat(fields).as(output).hasSize(5);
        assertThat(fields[1]).as("state while the retry waited").isEqualTo("RETRY");
        assertThat(fields[2]).as("the exception Celery rebuilt").isEqualTo("IOException");
        assertThat(fields[3]).as("result").isEqualTo("1");
        assertThat(fields[4]).as("AsyncResult.retries").isEqualTo("1");
    }

    @AfterAll
    static void deleteResult() {
        if (taskId != null) {
            try (var redis = services.redisConnectionFactory().getConnection()) {
                redis.keyCommands().del(("celery-task-meta-" + taskId).getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
