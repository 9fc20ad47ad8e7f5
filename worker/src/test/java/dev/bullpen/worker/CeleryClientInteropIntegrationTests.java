package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.demo.WorkerApplication;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The wire format is Celery's: a real Python Celery 5 client (Debian's python3-celery) sends
 * {@code demo.add(2, 3)} to a Bullpen worker and reads 5 from the Redis result backend.
 */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CeleryClientInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("interop");
    static String taskId;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        // Celery 5.2 has no global_keyprefix: use its plain keys, and delete the one this test makes.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @Test
    void aPythonCeleryClientCallsABullpenTask() throws Exception {
        Path script = Files.createTempFile("celery_send_add", ".py");
        try (var in = getClass().getResourceAsStream("/interop/celery_send_add.py")) {
            Files.write(script, in.readAllBytes());
        }
        String redis = "redis://" + services.redisUri().getHost() + ":" + services.redisUri().getPort() + "/"
                + services.redisDatabase();

        String output = runPython(script.toString(), services.amqpUri().toString(), redis, QUEUE);

        String[] idAndResult = output.strip().split(" ");
        taskId = idAndResult[0];
        assertThat(idAndResult[1]).isEqualTo("5");
    }

    @AfterAll
    static void deleteResult() {
        if (taskId != null) {
            try (var redis = services.redisConnectionFactory().getConnection()) {
                redis.keyCommands().del(("celery-task-meta-" + taskId).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static String runPython(String... args) throws IOException, InterruptedException {
        String python = new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
        var command = new java.util.ArrayList<String>();
        command.add(python);
        command.addAll(java.util.List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = process.waitFor(60, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            process.destroyForcibly();
        }
        assertThat(done).as("the Celery client finished within 60 s; output:%n%s", output).isTrue();
        assertThat(process.exitValue())
                .as("the Celery client exited cleanly (needs Debian's python3-celery and python3-redis: "
                        + "apt-get install -y python3-celery python3-redis); output:%n%s", output)
                .isZero();
        return output;
    }
}
