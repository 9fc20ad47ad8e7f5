package dev.bullpen.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The examples run as a user runs them, with the commands of {@code examples/README.md}: the notebook
 * through {@code jupyter nbconvert --execute}, the JShell script through {@code jshell}, against a
 * producer and two workers of concurrency 5 started from their jars (the exec allowlist holding
 * {@code gzip}, with {@code -k}, on a work-dir where both write their files), on this class's queue and
 * Redis key prefix. A cell that raises, or a snippet that
 * throws, fails the test; so does a missing Jupyter. The notebook's test is {@link NeedsPython}: it runs
 * with {@code -Ppython}; the JShell one always.
 */
class NotebookIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("talk");
    static final List<ServiceProcess> started = new ArrayList<>();
    static ServiceProcess producer;
    /** Lettuce's 5 s for the first connection has been seen to run out on a loaded machine, failing the start. */
    static final String SLOW_REDIS = "--spring.data.redis.timeout=30s";

    @TempDir
    static Path work;

    @BeforeAll
    static void startTheBullpen() throws Exception {
        Endpoints endpoints = new Endpoints(services.amqpUri(), services.redisUri());
        Instant launched = Instant.now();
        try {
            for (int i = 0; i < 2; i++) {
                // Prefetch = concurrency, so that the ten jobs pitched at once split five and five.
                started.add(ServiceProcess.worker(jar("worker"), endpoints, QUEUE, services.redisPrefix(), List.of(
                        "--bullpen.worker.concurrency=5", "--bullpen.worker.prefetch=5",
                        "--bullpen.client.default-queue=" + QUEUE,
                        "--bullpen.worker.name=talk-" + i + "-" + services.namespace() + "@bench",
                        "--bullpen.worker.exec.allowed-programs=gzip", "--bullpen.worker.exec.programs.gzip.flags=-k",
                        "--bullpen.worker.exec.work-dir=" + shared(), SLOW_REDIS, "-Xmx256m")));
            }
            producer = ServiceProcess.producer(jar("producer"), endpoints, QUEUE, services.redisPrefix(),
                    List.of(SLOW_REDIS, "-Xmx256m"), null);
            started.add(producer);
            for (ServiceProcess service : started) {
                // On a machine shared with other builds, JVMs have been seen to take 7 minutes to start.
                service.awaitUp(Duration.ofMinutes(10), launched);
            }
        } catch (Exception | Error ex) {
            stopTheBullpen();
            throw ex;
        }
    }

    @AfterAll
    static void stopTheBullpen() throws InterruptedException {
        for (ServiceProcess service : started) {
            service.close();
        }
        started.clear();
    }

    @Test
    @NeedsPython
    void theNotebookRunsFromTopToBottomWithoutAnError() throws Exception {
        Path shared = shared();
        Path executed = work.resolve("bullpen-talk.ipynb");
        requireJupyter();

        Run run = run(List.of("jupyter", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=600", "--output", executed.toString(), "examples/bullpen-talk.ipynb"),
                environment(shared, 3), Duration.ofMinutes(8));

        assertThat(run.exit()).as("jupyter nbconvert failed (a cell raised?):%n%s", run.output()).isZero();
        JsonNode notebook = CeleryJson.mapper().readTree(executed.toFile());
        List<String> errors = new ArrayList<>();
        StringBuilder printed = new StringBuilder();
        for (JsonNode cell : notebook.path("cells")) {
            for (JsonNode output : cell.path("outputs")) {
                if (output.path("output_type").asString().equals("error")) {
                    errors.add(output.path("ename").asString() + ": " + output.path("evalue").asString());
                }
                // nbformat keeps a text either whole or as a list of lines
                JsonNode text = output.path("text");
                if (text.isArray()) {
                    text.forEach(line -> printed.append(line.asString()));
                } else {
                    printed.append(text.asString(""));
                }
            }
        }
        assertThat(errors).isEmpty();
        assertThat(printed).contains("Celery: 5", "HTTP:   5", "10 x demo.sleep(3) in a row", "10 x demo.sleep(3) at once",
                "100,000,000", "10 files compressed", "CommandFailed");
        assertCompressed(shared, "talk-%02d.txt");
    }

    @Test
    void theJShellScriptRunsWithoutAnException() throws Exception {
        Path shared = shared();
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        if (!Files.isExecutable(jshell)) {
            fail("No jshell at " + jshell + ": run the build on a JDK (21 or newer), not a JRE");
        }
        Map<String, String> env = environment(shared, 1);
        env.put("PATH", jshell.getParent() + ":" + System.getenv("PATH"));

        // The command examples/README.md gives, as written (one-second jobs, to keep the build short).
        Run run = run(List.of("bash", "-c",
                "jshell --class-path \"common/target/classes:$(cat common/target/classpath.txt)\" examples/bullpen-talk.jsh"),
                env, Duration.ofMinutes(6));

        assertThat(run.exit()).as(run.output()).isZero();
        // JShell goes on after a snippet that throws or does not compile: it only says so.
        assertThat(run.output().lines().map(String::strip)
                .filter(line -> line.startsWith("Exception ") || line.startsWith("Error:") || line.startsWith("|  Exception")
                        || line.startsWith("|  Error")))
                .as(run.output()).isEmpty();
        assertThat(run.output()).contains("demo.add(2, 3) = 5", "10 x demo.sleep(1.0) at once", "100,000,000",
                "10 files compressed", "CommandFailed", "Stitched back together");
        assertCompressed(shared, "talk-java-%02d.txt");
    }

    /** The workers' work-dir, where the notebook and the script write their files (under names of their own). */
    private static Path shared() throws IOException {
        return Files.createDirectories(work.resolve("files"));
    }

    /** Ten files and, beside each, the smaller {@code .gz} that a worker's gzip wrote. */
    private static void assertCompressed(Path dir, String pattern) throws IOException {
        for (int n = 0; n < 10; n++) {
            Path text = dir.resolve(pattern.formatted(n));
            Path gz = dir.resolve(text.getFileName() + ".gz");
            assertThat(gz).exists();
            assertThat(Files.size(gz)).isPositive().isLessThan(Files.size(text));
        }
    }

    private static Map<String, String> environment(Path shared, int jobSeconds) {
        Map<String, String> env = new HashMap<>(System.getenv());
        var redis = services.redisUri();
        env.put("BULLPEN_BROKER_URL", new Endpoints(services.amqpUri(), redis).celeryBroker());
        env.put("BULLPEN_REDIS_URL", "redis://" + redis.getHost() + ":" + redis.getPort() + "/" + services.redisDatabase());
        env.put("BULLPEN_KEY_PREFIX", services.redisPrefix());
        env.put("BULLPEN_QUEUE", QUEUE);
        env.put("BULLPEN_PRODUCER_URL", producer.baseUri());
        env.put("BULLPEN_SHARED_DIR", shared.toString());
        env.put("BULLPEN_JOB_SECONDS", Integer.toString(jobSeconds));
        env.put("PYDEVD_DISABLE_FILE_VALIDATION", "1");   // ipykernel's debugger warning about frozen modules
        return env;
    }

    /**
     * Jupyter is what {@code -Ppython} asks of the machine: without it (or without nbconvert, a Python 3
     * kernel, or Celery for that kernel to import) this test fails, saying what to install; it never skips.
     */
    private static void requireJupyter() throws InterruptedException {
        String install = "Jupyter is missing: apt-get install jupyter-nbconvert jupyter-client python3-ipykernel "
                + "(jupyter kernelspec comes with jupyter-client; nbconvert runs the notebook on the python3 kernel); "
                + "these tests run with -Ppython";
        HashMap<String, String> env = new HashMap<>(System.getenv());
        try {
            Run nbconvert = run(List.of("jupyter", "nbconvert", "--version"), env, Duration.ofMinutes(1));
            if (nbconvert.exit() != 0) {
                throw new IllegalStateException(install + " (jupyter nbconvert --version: " + nbconvert.output().strip() + ")");
            }
            Run kernels = run(List.of("jupyter", "kernelspec", "list"), env, Duration.ofMinutes(1));
            if (kernels.exit() != 0 || !kernels.output().contains("python3")) {
                throw new IllegalStateException(install + " (no python3 kernel: " + kernels.output().strip() + ")");
            }
        } catch (IOException notThere) {
            throw new IllegalStateException(install + " (no jupyter on the PATH: " + notThere.getMessage() + ")", notThere);
        }
        PythonCelery.requireCelery(); // the notebook's cells call Bullpen through Celery
    }

    record Run(int exit, String output) {
    }

    /** Runs a command in the repository's root with its output (both streams) in a file; kills it past the timeout. */
    private static Run run(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "run-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(repository().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            fail("%s did not finish within %s:%n%s", command, timeout, Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }

    private static Path repository() {
        return Path.of(System.getProperty("bullpen.repository", "..")).toAbsolutePath().normalize();
    }

    private static Path jar(String module) {
        String configured = System.getProperty("bullpen.chaos." + module + "-jar");
        return Path.of(configured != null ? configured : "../" + module + "/target/bullpen-" + module + "-exec.jar");
    }
}
