package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.util.FileSystemUtils;

/**
 * The worker jar started as the image starts it: as the image's user (the Dockerfile's {@code USER},
 * through {@code setpriv} when this test runs as root; as the test's own user when that is not root), with
 * the environment docker-compose.yml gives the worker, the broker's password in it, plus the
 * allowlist of docs/command-tasks.md. Its work-dir is a directory owned by that user, in place of the
 * {@code /data} volume. The calls go through the real broker; the worker's pid is its own,
 * as in a container.
 */
class ComposeWorkerExecIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final Duration START = Duration.ofMinutes(3); // a loaded machine starts a JVM slowly
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String QUEUE = services.queue("exec");
    static final long SELF = ProcessHandle.current().pid();
    static final boolean ROOT = idOf(SELF, "Uid:") == 0;
    /**
     * Whom the worker runs as: the user the Dockerfile's worker stage ends as (root if it names none),
     * or this test's own when it cannot switch users, not being root.
     */
    static final long[] USER = ROOT ? imageUser() : new long[] {idOf(SELF, "Uid:"), idOf(SELF, "Gid:")};
    static final long UID = USER[0];
    static final long GID = USER[1];

    static Path root;
    static Path work;
    static ServiceProcess worker;
    static RedisResultBackend results;
    static TaskClient client;

    @BeforeAll
    static void startTheWorker() throws Exception {
        root = Files.createTempDirectory("bullpen-exec-compose-tests-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x")); // the worker's user passes through
        work = Files.createDirectories(root.resolve("data"));
        chown(work);
        int port = ServiceProcess.freePort();
        Map<String, String> env = new LinkedHashMap<>(WorkerImage.composeWorkerEnvironment());
        assertThat(env).containsKeys("SPRING_RABBITMQ_PASSWORD", "JAVA_TOOL_OPTIONS");
        // What the container network and the /data volume give it, and this class's own names on the shared services.
        Map<String, String> spring = services.springProperties();
        env.put("SPRING_RABBITMQ_HOST", spring.get("spring.rabbitmq.host"));
        env.put("SPRING_RABBITMQ_PORT", spring.get("spring.rabbitmq.port"));
        env.put("SPRING_RABBITMQ_USERNAME", spring.get("spring.rabbitmq.username"));
        env.put("SPRING_RABBITMQ_PASSWORD", spring.get("spring.rabbitmq.password"));
        env.put("SPRING_RABBITMQ_VIRTUALHOST", spring.get("spring.rabbitmq.virtual-host"));
        env.put("SPRING_DATA_REDIS_HOST", spring.get("spring.data.redis.host"));
        env.put("SPRING_DATA_REDIS_PORT", spring.get("spring.data.redis.port"));
        env.put("SPRING_DATA_REDIS_DATABASE", spring.get("spring.data.redis.database"));
        env.put("BULLPEN_RESULT_KEYPREFIX", services.redisPrefix());
        env.put("BULLPEN_WORKER_QUEUES", QUEUE);
        env.put("BULLPEN_WORKER_NAME", services.workerName("compose"));
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("BULLPEN_WORKER_EXEC_WORKDIR", work.toString());
        env.put("PATH", "/usr/bin:/bin");
        // The settings of docs/command-tasks.md, and one program left unchecked by mistake: the user is then the last wall.
        env.put("BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS", "gzip,sha256sum,printenv,cat");
        env.put("BULLPEN_WORKER_EXEC_PROGRAMS_GZIP_FLAGS", "-c,-d,-k,-1,-9");
        env.put("BULLPEN_WORKER_EXEC_PROGRAMS_CAT_OPERANDS", "unchecked");

        List<String> under = ROOT
                ? List.of("setpriv", "--reuid=" + UID, "--regid=" + GID, "--clear-groups", "--no-new-privs")
                : List.of();
        worker = ServiceProcess.jar("worker").name("compose-worker").runUnder(under).exactEnvironment().environment(env)
                .port(port).start().awaitUp(START);

        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofMinutes(10));
        client = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(new TaskClientSettings(QUEUE, Duration.ofSeconds(10), 1, true)).build();
    }

    @AfterAll
    static void stopTheWorker() throws Exception {
        if (client != null) {
            client.close();
            results.close();
        }
        if (worker != null) {
            worker.close();
        }
        FileSystemUtils.deleteRecursively(root);
    }

    @Test
    void theWorkerRunsAsTheImagesUserNotRoot() {
        assertThat(idOf(worker.pid(), "Uid:")).isEqualTo(UID).isNotZero();
        assertThat(idOf(worker.pid(), "Gid:")).isEqualTo(GID).isNotZero();
    }

    @Test
    void theWorkersEnvironmentHoldsTheBrokerPasswordAndNoCallReadsIt() throws IOException {
        String environ = "/proc/" + worker.pid() + "/environ";
        // What the issue read: the worker's own environment, with the compose file's password.
        assertThat(Files.readString(Path.of(environ), StandardCharsets.ISO_8859_1)).contains("SPRING_RABBITMQ_PASSWORD=");

        assertThat(refusal(exec("gzip", "-dcf", environ))).isEqualTo("gzip: flag '-f' (in '-dcf') is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertThat(refusal(exec("gzip", "-dc", environ))).isEqualTo("gzip: argument '" + environ + "' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir");
        // The program's own environment is not the worker's.
        String childEnvironment = exec("printenv").get(WAIT, CommandResult.class).stdout();
        assertThat(childEnvironment).contains("PATH=/usr/bin:/bin").doesNotContain("SPRING_", "BULLPEN_WORKER", "JAVA_TOOL_OPTIONS");
    }

    @Test
    void etcShadowIsRefusedAndTheUserCannotReadItThroughAProgramLeftUnchecked() {
        assertThat(Path.of("/etc/shadow")).exists();

        assertThat(refusal(exec("gzip", "-dcf", "/etc/shadow"))).startsWith("gzip: flag '-f' (in '-dcf') is not allowed");
        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> exec("cat", "/etc/shadow").get(WAIT));
        assertThat(failed).isNotNull();
        assertThat(failed.remoteType()).isEqualTo("CommandFailed");
        assertThat(failed.remoteMessage()).startsWith("cat exited with code 1: ").endsWith("cat: /etc/shadow: Permission denied");
    }

    @Test
    void aFileOutsideTheWorkDirIsNotReplaced() throws IOException {
        byte[] original = "precious\n".getBytes(StandardCharsets.UTF_8);
        Path precious = Files.write(root.resolve("precious.txt"), original);

        assertThat(refusal(exec("gzip", "-f", precious.toString()))).isEqualTo("gzip: flag '-f' is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertThat(refusal(exec("gzip", "-k", "../precious.txt"))).startsWith("gzip: argument '../precious.txt' climbs with '..'");

        assertThat(precious).hasBinaryContent(original);
        assertThat(root.resolve("precious.txt.gz")).doesNotExist();
    }

    @Test
    void filesInTheWorkDirAreReadAndWrittenAsTheUser() throws Exception {
        Path data = Files.writeString(work.resolve("data.txt"), "hello\n");
        chown(data);

        assertThat(exec("sha256sum", "data.txt").get(WAIT, CommandResult.class).stdout())
                .isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  data.txt\n");
        assertThat(exec("gzip", "-k", "data.txt").get(WAIT, CommandResult.class).exitCode()).isZero();
        assertThat(Files.getAttribute(work.resolve("data.txt.gz"), "unix:uid")).isEqualTo((int) UID);
    }

    private static TaskHandle exec(String program, String... args) {
        return client.send(CommandTask.NAME, List.of(), new LinkedHashMap<>(Map.of("program", program, "args", List.of(args))),
                TaskOptions.defaults());
    }

    private static String refusal(TaskHandle handle) {
        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));
        assertThat(failed).as("task %s failed", handle.id()).isNotNull();
        assertThat(failed.remoteType()).as(failed.remoteMessage()).isEqualTo("ArgumentNotAllowed");
        return failed.remoteMessage();
    }

    private static void chown(Path path) throws IOException {
        if (ROOT) {
            Files.setAttribute(path, "unix:uid", (int) UID);
            Files.setAttribute(path, "unix:gid", (int) GID);
        }
    }

    private static long[] imageUser() {
        try {
            return WorkerImage.user(WorkerImage.stage("worker"));
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The real uid or gid of a process, from the {@code Uid:} or {@code Gid:} line of its /proc status. */
    static long idOf(long pid, String field) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith(field)).map(line -> Long.parseLong(line.split("\\s+")[1]))
                    .findFirst().orElseThrow();
        } catch (IOException ex) {
            throw new IllegalStateException("no /proc status for process " + pid, ex);
        }
    }
}
