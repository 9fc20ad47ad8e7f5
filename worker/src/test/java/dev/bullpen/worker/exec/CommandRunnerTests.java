package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** What a program gets from the worker: its environment and its working directory. */
class CommandRunnerTests {

    /** A worker's environment as docker-compose.yml gives it, with the secrets a deployment adds. */
    static final Map<String, String> COMPOSE_WORKER = Map.of(
            "PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "TZ", "Europe/Berlin",
            "SPRING_RABBITMQ_HOST", "rabbitmq", "SPRING_RABBITMQ_PASSWORD", "rabbit-secret",
            "SPRING_DATA_REDIS_PASSWORD", "redis-secret", "AWS_SECRET_ACCESS_KEY", "aws-secret",
            "JAVA_TOOL_OPTIONS", "-Xmx256m", "HOME", "/root", "BULLPEN_WORKER_QUEUES", "celery");

    @TempDir
    Path dir;

    @Test
    void theProgramGetsOnlyWhatItNeedsToFindThingsAndNoneOfTheWorkersSecrets() throws Exception {
        CommandRunner runner = new CommandRunner(properties(null), COMPOSE_WORKER);

        String stdout = runner.run("env", Path.of("/usr/bin/env"), List.of(), Duration.ofSeconds(20), null).stdout();

        Map<String, String> seen = Arrays.stream(stdout.split("\n")).filter(line -> !line.isEmpty())
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')), line -> line.substring(line.indexOf('=') + 1)));
        assertThat(seen.keySet()).containsExactlyInAnyOrder("PATH", "LANG", "TZ", "HOME", "TMPDIR", ProcessTree.MARKER);
        assertThat(seen).containsEntry("PATH", "/usr/bin:/bin").containsEntry("LANG", "C.UTF-8").containsEntry("TZ", "Europe/Berlin");
        assertThat(seen.get("HOME")).startsWith(dir.resolve("scratch").resolve("bullpen-exec-").toString()).isEqualTo(seen.get("TMPDIR"));
        assertThat(stdout).doesNotContain("secret", "rabbitmq", "/root", "-Xmx", "celery");
    }

    @Test
    void theProgramRunsInTheWorkDirWhenThereIsOneAndKeepsItsScratchHome() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        CommandRunner runner = new CommandRunner(properties(work), COMPOSE_WORKER);

        String stdout = runner.run("sh", Path.of("/bin/sh"), List.of("-c", "pwd; echo \"$HOME\""), Duration.ofSeconds(20), null).stdout();

        String[] lines = stdout.split("\n");
        assertThat(Path.of(lines[0])).isEqualTo(work.toRealPath());
        assertThat(lines[1]).startsWith(dir.resolve("scratch").resolve("bullpen-exec-").toString());
        assertThat(Path.of(lines[1])).doesNotExist(); // removed after the call; the work-dir stays
        assertThat(work).isDirectory();
    }

    private ExecProperties properties(@Nullable Path workDir) throws IOException {
        return new ExecProperties(List.of("env", "sh"), Duration.ofSeconds(20), Duration.ofSeconds(20), DataSize.ofKilobytes(64),
                ExecProperties.OutputOverflow.TRUNCATE, Files.createDirectories(dir.resolve("scratch")), workDir, null);
    }
}
