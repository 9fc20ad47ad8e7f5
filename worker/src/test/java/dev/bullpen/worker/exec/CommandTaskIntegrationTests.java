package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import tools.jackson.databind.JsonNode;

/**
 * {@code bullpen.exec} sent through {@link TaskClient} to a worker in this JVM, over the real broker
 * and Redis, with an allowlist of {@code echo}, {@code sh}, {@code cat}, {@code wc}, {@code sha256sum},
 * {@code /bin/sh} and one program that exists nowhere, and no work-dir: the shells and {@code echo}
 * take their operands unchecked, so that these tests can watch processes by the files they write.
 * {@link CommandConfinementIntegrationTests} has a worker with a work-dir.
 */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CommandTaskIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("exec");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String MISSING = "bullpen-no-such-program-" + services.namespace();
    static final Path root = temporaryDirectory();
    static final Path scratchRoot = root.resolve("scratch");
    static final Path files = root.resolve("files");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.exec.allowed-programs", () -> "echo,sh,cat,wc,sha256sum,/bin/sh," + MISSING);
        registry.add("bullpen.worker.exec.programs.echo.operands", () -> "unchecked");
        registry.add("bullpen.worker.exec.programs.sh.flags", () -> "-c");
        registry.add("bullpen.worker.exec.programs.sh.operands", () -> "unchecked");
        registry.add("bullpen.worker.exec.programs[/bin/sh].flags", () -> "-c");
        registry.add("bullpen.worker.exec.programs[/bin/sh].operands", () -> "unchecked");
        registry.add("bullpen.worker.exec.programs.wc.flags", () -> "-c");
        registry.add("bullpen.worker.exec.max-output", () -> "64KB");
        registry.add("bullpen.worker.exec.default-timeout", () -> "20s");
        registry.add("bullpen.worker.exec.max-timeout", () -> "30s");
        registry.add("bullpen.worker.exec.scratch-root", scratchRoot::toString);
    }

    @AfterAll
    static void removeFiles() throws IOException {
        FileSystemUtils.deleteRecursively(root);
    }

    @Autowired
    TaskClient client;

    @Test
    void runsAnAllowedProgramAndAnswersItsExitCodeStdoutStderrAndDuration() {
        JsonNode result = exec("echo", List.of("hello", "world")).get(WAIT);

        assertThat(result.propertyNames()).containsExactlyInAnyOrder("exit_code", "stdout", "stderr", "duration",
                "stdout_truncated", "stderr_truncated");
        assertThat(result.get("exit_code").intValue()).isZero();
        assertThat(result.get("stdout").stringValue()).isEqualTo("hello world\n");
        assertThat(result.get("stderr").stringValue()).isEmpty();
        assertThat(result.get("duration").doubleValue()).isPositive();
        assertThat(result.get("stdout_truncated").booleanValue()).isFalse();
        assertThat(result.get("stderr_truncated").booleanValue()).isFalse();
    }

    @Test
    void takesItsArgumentsPositionallyToo() {
        TaskHandle handle = client.send(CommandTask.NAME, List.of("sh", List.of("-c", "echo \"$0\" >&2", "to stderr"), 5));

        CommandResult result = handle.get(WAIT, CommandResult.class);
        assertThat(result.stderr()).isEqualTo("to stderr\n");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void anAbsolutePathOnTheAllowlistRunsAsGiven() {
        assertThat(exec("/bin/sh", List.of("-c", "echo absolute")).get(WAIT, CommandResult.class).stdout())
                .isEqualTo("absolute\n");
    }

    @Test
    void aNonZeroExitIsAFailureWithTheCodeAndStderr() {
        TaskFailedException failed = failure(exec("sh", List.of("-c", "echo partial; echo 'no such input' >&2; exit 3")));

        assertThat(failed.state()).isEqualTo(TaskState.FAILURE);
        assertThat(failed.remoteType()).isEqualTo("CommandFailed");
        assertThat(failed.error().module()).isEqualTo("dev.bullpen.worker.exec");
        assertThat(failed.remoteMessage()).isEqualTo("sh exited with code 3: no such input");
        assertThat(failed.remoteTraceback()).contains("CommandFailed");
    }

    @Test
    void aProgramNotOnTheAllowlistIsRefusedAndNotRun() throws IOException {
        Path canary = Files.writeString(files().resolve("canary-" + System.nanoTime()), "alive");

        TaskFailedException failed = failure(exec("rm", List.of(canary.toString())));

        assertThat(failed.remoteType()).isEqualTo("ProgramNotAllowed");
        assertThat(failed.remoteMessage()).contains("'rm' is not allowed", "bullpen.worker.exec.allowed-programs");
        assertThat(canary).exists();
        // Only the names as listed: neither a path to an allowed name nor a path that climbs out.
        assertThat(failure(exec("/usr/bin/echo", List.of("x"))).remoteType()).isEqualTo("ProgramNotAllowed");
        assertThat(failure(exec("../echo", List.of("x"))).remoteType()).isEqualTo("ProgramNotAllowed");
    }

    @Test
    void anAllowedProgramThatIsNotInstalledIsAFailureSayingSo() {
        TaskFailedException failed = failure(exec(MISSING, List.of()));

        assertThat(failed.remoteType()).isEqualTo("ProgramNotFound");
        assertThat(failed.remoteMessage()).contains("'" + MISSING + "' is allowed but not found on this worker's PATH");
    }

    @Test
    void aTimeoutKillsTheWholeProcessTreeAndLeavesNoOrphan() throws Exception {
        Path pids = files().resolve("pids-" + System.nanoTime());
        // A shell with two background sleeps: the children outlive a shell that is killed alone.
        // 3 s: time enough for the script to write its pids even on a loaded machine.
        TaskHandle handle = exec(Map.of("program", "sh", "timeout", 3, "args", List.of("-c",
                "sleep 100 & echo $! >> \"$0\"; sleep 100 & echo $! >> \"$0\"; echo $$ >> \"$0\"; wait", pids.toString())));

        TaskFailedException failed = failure(handle);

        assertThat(failed.remoteType()).isEqualTo("CommandTimeout");
        assertThat(failed.remoteMessage()).startsWith("sh timed out after 3s; its process tree (").contains("was killed");
        List<Long> started = pidsIn(pids, 3);
        assertThat(started).allSatisfy(pid -> assertThat(Orphans.running(pid)).as("process %d", pid).isFalse());
    }

    @Test
    void aShellThatExitsLeavingABackgroundProcessHasItKilledToo() throws Exception {
        Path pids = files().resolve("pids-" + System.nanoTime());

        CommandResult result = exec("sh", List.of("-c", "sleep 100 & echo $! > \"$0\"; echo left", pids.toString()))
                .get(WAIT, CommandResult.class);

        assertThat(result.stdout()).isEqualTo("left\n");
        assertThat(pidsIn(pids, 1)).allSatisfy(pid -> assertThat(Orphans.running(pid)).as("process %d", pid).isFalse());
    }

    @Test
    void outputOverTheCapIsTruncatedAndFlaggedAndBothStreamsAreReadAtOnce() {
        // 300 kB on each stream, far past a pipe's buffer: a worker reading one stream at a time would hang.
        CommandResult result = exec("sh", List.of("-c",
                "i=0; while [ $i -lt 3000 ]; do echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 >&2; "
                        + "echo abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghi; "
                        + "i=$((i+1)); done"))
                .get(WAIT, CommandResult.class);

        assertThat(result.stdout()).hasSize(64 * 1024).startsWith("abcdefghij");
        assertThat(result.stderr()).hasSize(64 * 1024).startsWith("0123456789");
        assertThat(result.stdoutTruncated()).isTrue();
        assertThat(result.stderrTruncated()).isTrue();
    }

    @Test
    void stdinReachesTheProgramAsUtf8() {
        String text = "h\u00e9llo \u2603 \uD83D\uDE00\nsecond line\n";

        assertThat(exec(Map.of("program", "cat", "stdin", text)).get(WAIT, CommandResult.class).stdout()).isEqualTo(text);
        // Past a pipe's buffer, while the program writes: stdin is fed on its own thread.
        String big = "x".repeat(1_000_000);
        assertThat(exec(Map.of("program", "wc", "args", List.of("-c"), "stdin", big)).get(WAIT, CommandResult.class)
                .stdout().strip()).isEqualTo("1000000");
    }

    @Test
    void theScratchDirectoryIsTheWorkingDirectoryAndIsRemovedAfterwards() {
        CommandResult result = exec("sh", List.of("-c",
                "pwd; echo \"$HOME\"; echo data > made.txt; mkdir locked; echo x > locked/f; chmod 000 locked; ls"))
                .get(WAIT, CommandResult.class);

        String[] lines = result.stdout().split("\n");
        Path cwd = Path.of(lines[0]);
        assertThat(cwd.getParent()).isEqualTo(scratchRoot);
        assertThat(cwd.getFileName().toString()).startsWith("bullpen-exec-");
        assertThat(lines[1]).isEqualTo(lines[0]);
        assertThat(lines).contains("made.txt", "locked");
        assertThat(cwd).doesNotExist();
    }

    @Test
    void argumentsAreNeverInterpretedByAShell() throws IOException {
        Path canary = Files.writeString(files().resolve("canary-" + System.nanoTime()), "alive");
        List<String> args = List.of("; rm -rf " + canary, "$(rm " + canary + ")", "`id`", "$HOME", "*", "a  b", "|", "&&");

        CommandResult result = exec("echo", args).get(WAIT, CommandResult.class);

        assertThat(result.stdout()).isEqualTo(String.join(" ", args) + "\n");
        assertThat(canary).hasContent("alive");
    }

    @Test
    void aTimeoutOverTheMaximumIsRefused() {
        TaskFailedException failed = failure(exec(Map.of("program", "echo", "timeout", 31)));

        assertThat(failed.remoteType()).isEqualTo("IllegalArgumentException");
        assertThat(failed.remoteMessage()).contains("bullpen.worker.exec.max-timeout (30s)");
    }

    @Test
    void argumentsThatAreNotAListAreATypeError() {
        TaskFailedException failed = failure(exec(Map.of("program", "echo", "args", Map.of("a", 1))));

        assertThat(failed.remoteType()).isEqualTo("TypeError");
        assertThat(failed.remoteMessage()).contains("argument 'args'");
    }

    @Test
    void terminatingTheTaskKillsItsProcessTree() throws Exception {
        Path pids = files().resolve("pids-" + System.nanoTime());
        TaskHandle handle = exec(Map.of("program", "sh", "args", List.of("-c",
                "sleep 100 & echo $! >> \"$0\"; echo $$ >> \"$0\"; wait", pids.toString())));
        List<Long> started = pidsIn(pids, 2);

        client.control().revoke(handle.id(), true);

        TaskFailedException failed = failure(handle);
        assertThat(failed.state()).isEqualTo(TaskState.REVOKED);
        assertThat(started).allSatisfy(pid -> assertThat(Orphans.running(pid)).as("process %d", pid).isFalse());
    }

    @Test
    void theTasksHardTimeLimitKillsItsProcessTree() throws Exception {
        Path pids = files().resolve("pids-" + System.nanoTime());
        TaskHandle handle = client.send(CommandTask.NAME, List.of(), Map.of("program", "sh", "args", List.of("-c",
                "sleep 100 & echo $! >> \"$0\"; echo $$ >> \"$0\"; wait", pids.toString())),
                TaskOptions.defaults().timeLimit(Duration.ofSeconds(3)));

        TaskFailedException failed = failure(handle);

        assertThat(failed.remoteType()).isEqualTo("TimeLimitExceeded");
        List<Long> started = pidsIn(pids, 2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(started).allSatisfy(pid -> assertThat(Orphans.running(pid)).as("process %d", pid).isFalse()));
    }

    @Test
    void withoutAWorkDirStdinStillWorksAndNoArgumentMayNameAFile() throws IOException {
        Path canary = Files.writeString(files().resolve("canary-" + System.nanoTime()), "alive");

        assertThat(exec(Map.of("program", "sha256sum", "stdin", "hello")).get(WAIT, CommandResult.class).stdout())
                .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  -\n");
        TaskFailedException failed = failure(exec("sha256sum", List.of(canary.toString())));
        assertThat(failed.remoteType()).isEqualTo("ArgumentNotAllowed");
        assertThat(failed.remoteMessage()).isEqualTo("sha256sum: argument '" + canary + "' would name a file, and this "
                + "worker lets no call name files: it has no bullpen.worker.exec.work-dir (BULLPEN_WORKER_EXEC_WORKDIR), "
                + "the directory whose files callers may name");
    }

    private TaskHandle exec(String program, List<String> args) {
        return exec(Map.of("program", program, "args", args));
    }

    private TaskHandle exec(Map<String, ?> kwargs) {
        return client.send(CommandTask.NAME, List.of(), new LinkedHashMap<>(kwargs), TaskOptions.defaults());
    }

    private static TaskFailedException failure(TaskHandle handle) {
        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));
        assertThat(failed).as("task %s failed", handle.id()).isNotNull();
        return failed;
    }

    /** The pids a script wrote, once it has written {@code count} of them. */
    private static List<Long> pidsIn(Path file, int count) {
        List<Long> pids = new ArrayList<>();
        await().atMost(WAIT).untilAsserted(() -> {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
            assertThat(lines.stream().filter(l -> !l.isBlank()).count()).isEqualTo(count);
            pids.clear();
            lines.stream().filter(l -> !l.isBlank()).map(String::strip).map(Long::parseLong).forEach(pids::add);
        });
        return pids;
    }

    private static Path files() throws IOException {
        return Files.createDirectories(files);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("bullpen-exec-tests-");
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
