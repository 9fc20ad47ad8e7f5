package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * {@code bullpen.worker.exec.output-overflow=fail}: output past the cap kills the program at once
 * and fails the task with {@code OutputLimitExceeded}, rather than truncating.
 */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CommandOutputLimitIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("exec-limit");
    static final Duration WAIT = Duration.ofSeconds(30);
    static Path files;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        files = Files.createTempDirectory("bullpen-exec-limit-tests-");
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.exec.allowed-programs", () -> "sh,echo");
        registry.add("bullpen.worker.exec.programs.sh.flags", () -> "-c");
        registry.add("bullpen.worker.exec.programs.sh.operands", () -> "unchecked");
        registry.add("bullpen.worker.exec.max-output", () -> "10KB");
        registry.add("bullpen.worker.exec.output-overflow", () -> "fail");
        // Longer than WAIT: only the overflow can end the endless writer in time.
        registry.add("bullpen.worker.exec.default-timeout", () -> "60s");
    }

    @AfterAll
    static void removeFiles() throws IOException {
        FileSystemUtils.deleteRecursively(files);
    }

    @Autowired
    TaskClient client;

    @Test
    void anEndlessWriterIsKilledAtTheCapWithItsProcessTree() throws Exception {
        Path pids = files.resolve("pids-" + System.nanoTime());

        TaskFailedException failed = failure(exec("sh", "-c",
                // Each shell writes its pid before anything writes output, so both are there when the kill comes.
                "echo $$ >> \"$0\"; sh -c 'echo $$ >> \"$0\"; exec yes' \"$0\" & wait", pids.toString()));

        assertThat(failed.remoteType()).isEqualTo("OutputLimitExceeded");
        assertThat(failed.remoteMessage()).isEqualTo("sh wrote more than 10240 bytes to stdout "
                + "(bullpen.worker.exec.max-output) and was killed, with its process tree (bullpen.worker.exec.output-overflow=fail)");
        List<Long> started = Files.readAllLines(pids).stream().map(String::strip).map(Long::parseLong).toList();
        assertThat(started).hasSize(2).allSatisfy(pid -> assertThat(Orphans.running(pid)).as("process %d", pid).isFalse());
    }

    @Test
    void tooMuchStderrFromAProgramThatExitsAtOnceFailsAsWell() {
        TaskFailedException failed = failure(exec("sh", "-c", "head -c 20000 /dev/zero >&2"));

        assertThat(failed.remoteType()).isEqualTo("OutputLimitExceeded");
        assertThat(failed.remoteMessage()).startsWith("sh wrote more than 10240 bytes to stderr");
    }

    @Test
    void outputWithinTheCapSucceeds() {
        CommandResult result = exec("sh", "-c", "head -c 10240 /dev/zero | tr '\\0' a").get(WAIT, CommandResult.class);

        assertThat(result.stdout()).isEqualTo("a".repeat(10240));
        assertThat(result.stdoutTruncated()).isFalse();
    }

    private TaskHandle exec(String program, String... args) {
        return client.send(CommandTask.NAME, List.of(), Map.of("program", program, "args", List.of(args)), TaskOptions.defaults());
    }

    private static TaskFailedException failure(TaskHandle handle) {
        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));
        assertThat(failed).as("task %s failed", handle.id()).isNotNull();
        return failed;
    }
}
