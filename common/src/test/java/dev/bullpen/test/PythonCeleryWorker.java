package dev.bullpen.test;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Python Celery worker process (Debian's python3-celery) running the tasks of
 * {@code interop/bullpen_pytasks.py} on one queue, with the test class's broker, Redis and key prefix.
 * A class or test that uses it is {@link NeedsPython}; without Python's Celery it fails before starting
 * the worker, saying what to install ({@link PythonCelery#requireCelery}).
 *
 * <p>As a JUnit extension it starts before the class's tests and stops after them, before the
 * services delete the class's queues; a test that wants one of its own calls {@link Launch#start}.
 * Either returns once the worker consumes from its queue; {@link #close} stops it and its prefork
 * children, whatever state they are in.
 *
 * <pre>{@code
 * @RegisterExtension static final PythonCeleryWorker python = PythonCeleryWorker.on(services, QUEUE).build();
 * try (PythonCeleryWorker direct = PythonCeleryWorker.on(services, queue).workerDirect().start()) { ... }
 * }</pre>
 */
public final class PythonCeleryWorker implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private final Launch launch;
    private volatile @Nullable Process process;
    private volatile @Nullable Path log;
    private volatile @Nullable String nodeName;

    private PythonCeleryWorker(Launch launch) {
        this.launch = launch;
    }

    /** A worker consuming {@code queue}, storing results under the services' key prefix: 2 prefork processes. */
    public static Launch on(BullpenServices services, String queue) {
        return new Launch(services, queue);
    }

    /** The same as {@code on(services, queue).start()}. */
    public static PythonCeleryWorker start(BullpenServices services, String queue) throws IOException {
        return on(services, queue).start();
    }

    /** How the worker runs: {@code -c}, {@code --pool}, Celery's {@code worker_direct}. */
    public static final class Launch {

        private final BullpenServices services;
        private final String queue;
        private int concurrency = 2;
        private String pool = "prefork";
        private boolean workerDirect;

        private Launch(BullpenServices services, String queue) {
            this.services = services;
            this.queue = queue;
        }

        public Launch concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /** Celery's pool: {@code prefork}, {@code threads}, {@code solo}. */
        public Launch pool(String pool) {
            this.pool = pool;
            return this;
        }

        /** Celery's {@code worker_direct=True}: it also consumes {@code <node>.dq2}. */
        public Launch workerDirect() {
            this.workerDirect = true;
            return this;
        }

        /** The extension: started before the class's tests, stopped after them. */
        public PythonCeleryWorker build() {
            return new PythonCeleryWorker(this);
        }

        /** Starts a worker now, for a test that closes it itself. */
        public PythonCeleryWorker start() throws IOException {
            PythonCeleryWorker worker = new PythonCeleryWorker(this);
            worker.launch();
            return worker;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        launch();
        launch.services.closeFirst(this);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private synchronized void launch() throws IOException {
        if (process != null) {
            return;
        }
        PythonCelery.requireCelery();
        BullpenServices services = launch.services;
        Path dir = Files.createTempDirectory("bullpen-pytasks");
        PythonCelery.copyModule(dir);
        log = dir.resolve("worker.log");
        // The class's namespace after the @, so that BullpenServices deletes its direct queue (worker_direct).
        nodeName = "pytest-" + UUID.randomUUID() + "@" + services.namespace();
        List<String> command = new ArrayList<>(List.of(PythonCelery.executable(), "-m", "celery", "-A",
                PythonCelery.MODULE, "worker", "-Q", launch.queue, "-c", Integer.toString(launch.concurrency),
                "--pool=" + launch.pool, "-n", nodeName, "--without-gossip", "--without-mingle", "-l", "info"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        PythonCelery.environment(builder.environment(), services, dir);
        if (launch.workerDirect) {
            builder.environment().put("BULLPEN_WORKER_DIRECT", "1");
        }
        process = builder.start();
        try {
            awaitConsuming(services, launch.queue);
        } catch (RuntimeException | Error ex) {
            close();
            throw ex;
        }
    }

    /** How the worker's node name, stored with its results, begins: {@code pytest-<uuid>@}. */
    public String nodeNamePrefix() {
        return nodeName.substring(0, nodeName.indexOf('@') + 1);
    }

    /** What the worker has logged so far, for assertion messages. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            return "(no log: " + ex + ")";
        }
    }

    /** SIGTERM (Celery's warm shutdown), then SIGKILL to it and any child left after 15 s. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
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
                                + " (needs Debian's python3-celery and python3-redis: " + PythonCelery.INSTALL
                                + "); log:\n" + log());
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
