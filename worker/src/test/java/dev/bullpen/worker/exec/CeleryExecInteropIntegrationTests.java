package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * A Python Celery client (Debian's python3-celery) calls {@code bullpen.exec} with
 * {@code app.send_task("bullpen.exec", kwargs=...)}: results come back as dicts, failures as
 * exceptions named after the worker's. The calls are in {@code interop/celery_send_exec.py}; the
 * worker's work-dir is this class's directory of files.
 */
@NeedsPython
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CeleryExecInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("exec-interop");
    static final List<String> taskIds = new ArrayList<>();
    static Path files;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        files = Files.createTempDirectory("bullpen-exec-interop-tests-");
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.worker.exec.allowed-programs", () -> "echo,cat,gzip,sh");
        registry.add("bullpen.worker.exec.work-dir", files::toString);
        registry.add("bullpen.worker.exec.programs.gzip.flags", () -> "-c,-d,-k");
        registry.add("bullpen.worker.exec.programs.echo.operands", () -> "unchecked");
        registry.add("bullpen.worker.exec.programs.sh.flags", () -> "-c");
        registry.add("bullpen.worker.exec.programs.sh.operands", () -> "unchecked");
        // Celery 5.2 has no global_keyprefix: use its plain keys, and delete the ones this test makes.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var redis = services.redisConnectionFactory().getConnection()) {
            for (String id : taskIds) {
                redis.keyCommands().del(("celery-task-meta-" + id).getBytes(StandardCharsets.UTF_8));
            }
        }
        FileSystemUtils.deleteRecursively(files);
    }

    @Test
    void aPythonCeleryClientRunsCommandsAndSeesTheirFailuresByType() throws Exception {
        Path input = Files.writeString(files.resolve("from-python.txt"), "compress me\n".repeat(50));
        Path script = PythonCelery.copyResource(files, "celery_send_exec.py"); // removed with the directory
        String redis = PythonCelery.redisUrl(services);

        String output = PythonCelery.client(script.toString(), services.amqpUri().toString(), redis, QUEUE, "from-python.txt")
                .timeout(Duration.ofSeconds(90)).run();
        JsonNode out = CeleryJson.mapper().readTree(PythonCelery.lastLine(output));
        out.path("ids").forEach(id -> taskIds.add(id.asString()));

        assertThat(out.path("echo").path("stdout").asString()).isEqualTo("from python ; rm -rf /\n");
        assertThat(out.path("echo").path("exit_code").asInt()).isZero();
        assertThat(out.path("stdin").path("stdout").asString()).isEqualTo("caf\u00e9 \u2603\n");
        assertThat(out.path("gzip").path("exit_code").asInt()).isZero();
        assertThat(input.resolveSibling("from-python.txt.gz")).exists();
        assertThat(out.path("not_allowed").path("state").asString()).isEqualTo("FAILURE");
        assertThat(out.path("not_allowed").path("type").asString()).isEqualTo("ProgramNotAllowed");
        assertThat(out.path("not_allowed").path("str").asString()).contains("'rm' is not allowed");
        assertThat(input).exists();
        assertThat(out.path("failed").path("type").asString()).isEqualTo("CommandFailed");
        assertThat(out.path("failed").path("str").asString()).isEqualTo("sh exited with code 2: bad");
        assertThat(out.path("escape").path("state").asString()).isEqualTo("FAILURE");
        assertThat(out.path("escape").path("type").asString()).isEqualTo("ArgumentNotAllowed");
        assertThat(out.path("escape").path("str").asString()).isEqualTo("gzip: argument '/etc/shadow' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir");
    }
}
