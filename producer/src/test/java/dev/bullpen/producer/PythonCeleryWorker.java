package dev.bullpen.producer;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.test.BullpenServices;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Python Celery worker process (Debian's python3-celery) running the tasks of
 * {@code interop/bullpen_pytasks.py} on one queue, with the test class's broker, Redis and key prefix.
 *
 * <p>{@link #start} returns once the worker consumes from its queue; {@link #close} stops it and its
 * prefork children, whatever state they are in.
 */
final class PythonCeleryWorker implements AutoCloseable {

    /**
     * The worker's clock and Celery {@code timezone}; not UTC on purpose, so that an eta read as
     * local time rather than as the UTC instant Bullpen means would run the task hours early.
     */
    static final String TIMEZONE = "Asia/Kolkata";

    private static final String MODULE = "bullpen_pytasks";

    private final Process process;
    private final Path log;
    private final String nodeName;

    private PythonCeleryWorker(Process process, Path log, String nodeName) {
        this.process = process;
        this.log = log;
        this.nodeName = nodeName;
    }

    /** Starts a worker consuming {@code queue}, storing results under the services' key prefix. */
    static PythonCeleryWorker start(BullpenServices services, String queue) throws IOException {
        return start(services, queue, false);
    }

    /**
     * Starts a worker consuming {@code queue}, storing results under the services' key prefix; with
     * {@code workerDirect}, Celery's {@code worker_direct=True}: it also consumes {@code <node>.dq2}.
     */
    static PythonCeleryWorker start(BullpenServices services, String queue, boolean workerDirect) throws IOException {
        Path dir = Files.createTempDirectory("bullpen-pytasks");
        copyModule(dir);
        Path log = dir.resolve("worker.log");
        // The class's namespace after the @, so that BullpenServices deletes its direct queue (worker_direct).
        String nodeName = "pytest-" + UUID.randomUUID() + "@" + services.namespace();
        String python = new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
        ProcessBuilder builder = new ProcessBuilder(python, "-m", "celery", "-A", MODULE, "worker", "-Q", queue,
                "-c", "2", "--pool=prefork", "-n", nodeName, "--without-gossip", "--without-mingle",
                "-l", "info")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        environment(builder.environment(), services, dir);
        if (workerDirect) {
            builder.environment().put("BULLPEN_WORKER_DIRECT", "1");
        }
        PythonCeleryWorker worker = new PythonCeleryWorker(builder.start(), log, nodeName);
        try {
            worker.awaitConsuming(services, queue);
        } catch (RuntimeException | Error ex) {
            worker.close();
            throw ex;
        }
        return worker;
    }

    /**
     * What {@code bullpen_pytasks} reads: the services' broker, Redis and key prefix, with the module's
     * folder on PYTHONPATH, so that a Python client importing its {@code app} shares the worker's results.
     */
    static void environment(Map<String, String> env, BullpenServices services, Path moduleDir) {
        env.put("PYTHONPATH", moduleDir.toString());
        env.put("TZ", TIMEZONE);
        env.put("BULLPEN_BROKER_URL", services.amqpUri().toString());
        env.put("BULLPEN_RESULT_URL", "redis://" + services.redisUri().getHost() + ":" + services.redisUri().getPort()
                + "/" + services.redisDatabase());
        env.put("BULLPEN_KEY_PREFIX", services.redisPrefix());
    }

    /** Copies the tasks module and the test resources {@code interop/<name>} beside it into {@code dir}. */
    static void copyModule(Path dir, String... resources) throws IOException {
        List<String> names = new ArrayList<>(List.of(MODULE + ".py"));
        names.addAll(List.of(resources));
        for (String name : names) {
            try (InputStream in = PythonCeleryWorker.class.getResourceAsStream("/interop/" + name)) {
                if (in == null) {
                    throw new IOException("no test resource interop/" + name);
                }
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
    }

    /** How the worker's node name, stored with its results, begins: {@code pytest-<uuid>@}. */
    String nodeNamePrefix() {
        return nodeName.substring(0, nodeName.indexOf('@') + 1);
    }

    /** What the worker has logged so far, for assertion messages. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            return "(no log: " + ex + ")";
        }
    }

    /** SIGTERM (Celery's warm shutdown), then SIGKILL to it and any child left after 15 s. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Celery consumes only once it is fully up, so a consumer on the queue means tasks will run. */
    private void awaitConsuming(BullpenServices services, String queue) {
        await("the Python Celery worker consuming " + queue).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the Python Celery worker exited with " + process.exitValue()
                                + " (needs Debian's python3-celery and python3-redis: "
                                + "apt-get install -y python3-celery python3-redis); log:\n" + log());
                    }
                    return consumers(services, queue) > 0;
                });
    }

    private static long consumers(BullpenServices services, String queue) {
        // A fresh channel each time: a passive declare of a queue not yet declared closes its channel.
        try (Connection connection = services.amqpConnectionFactory().newConnection("bullpen-test-pyworker-probe");
             Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getConsumerCount();
        } catch (IOException ex) {
            return 0;
        } catch (Exception ex) {
            throw new UncheckedIOException(new IOException("cannot reach the broker", ex));
        }
    }
}
