package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.result.RedisResultBackend;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Everything a chaos run kills and watches, all its own: a RabbitMQ node, a Redis, worker processes
 * and the HTTP producer, started from their jars, with their files in one temporary directory.
 * {@link #close()} stops them all and deletes the directory; a shutdown hook does the same if the
 * JVM is stopped first.
 */
final class ChaosRig implements AutoCloseable {

    /** What to start, and where. */
    record Settings(Path workerJar, Path producerJar, int amqpPort, int distPort, int redisPort, int workers,
            int concurrency, @Nullable String rabbitmqServer, @Nullable String redisServer, boolean keepFiles) {
    }

    static final String QUEUE = "bullpen-chaos";

    /** Each run of a task logs this line once it has run (TaskRunner at debug). */
    private static final Pattern RAN = Pattern.compile("Task \\S+\\[([^\\]]+)] succeeded in");

    /** Only the C1 compiler and the serial collector: the services start in far less CPU; speed is not measured here. */
    private static final String FAST_START_1 = "-XX:TieredStopAtLevel=1";
    private static final String FAST_START_2 = "-XX:+UseSerialGC";

    private final Settings settings;
    private final Path dir;
    private final Thread hook = new Thread(this::closeQuietly, "bullpen-chaos-cleanup");
    private final List<ServiceProcess> workers = new ArrayList<>();
    private final List<Path> workerLogs = new ArrayList<>();
    private @Nullable PrivateBroker broker;
    private @Nullable PrivateRedis redis;
    private @Nullable ServiceProcess producer;
    private @Nullable LettuceConnectionFactory redisFactory;
    private @Nullable RedisResultBackend results;
    private boolean closed;

    private ChaosRig(Settings settings, Path dir) {
        this.settings = settings;
        this.dir = dir;
    }

    /** Starts the broker and Redis, then the workers and the producer, and waits until all are up. */
    static ChaosRig start(Settings settings) throws Exception {
        for (Path jar : List.of(settings.workerJar(), settings.producerJar())) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("No jar at " + jar.toAbsolutePath() + ": build first with ./mvnw -B -DskipTests package");
            }
        }
        // All ports first, so that a clash fails before anything is started.
        Ports.requireFree("RabbitMQ AMQP", settings.amqpPort());
        Ports.requireFree("RabbitMQ distribution", settings.distPort());
        Ports.requireFree("Redis", settings.redisPort());
        ChaosRig rig = new ChaosRig(settings, Files.createTempDirectory("bullpen-chaos-"));
        Runtime.getRuntime().addShutdownHook(rig.hook);
        long started = System.nanoTime();
        try {
            rig.boot();
            System.out.printf("chaos: broker, Redis, %d workers and the producer up in %.1f s%n", settings.workers(),
                    (System.nanoTime() - started) / 1e9);
            return rig;
        } catch (Exception | Error ex) {
            rig.close();
            throw ex;
        }
    }

    private void boot() throws Exception {
        // The services start while the broker boots: workers retry until it answers, the producer connects lazily.
        CompletableFuture<PrivateRedis> redisStart = CompletableFuture.supplyAsync(() -> unchecked(
                () -> PrivateRedis.start(dir.resolve("redis"), settings.redisPort(), settings.redisServer())));
        CompletableFuture<PrivateBroker> brokerStart = CompletableFuture.supplyAsync(() -> unchecked(
                () -> PrivateBroker.start(dir.resolve("rabbitmq"), settings.amqpPort(), settings.distPort(),
                        settings.rabbitmqServer())));
        try {
            Path logs = Files.createDirectories(dir.resolve("logs"));
            Instant launched = Instant.now();
            for (int i = 1; i <= settings.workers(); i++) {
                startWorker(i, logs);
            }
            producer = ServiceProcess.producer(settings.producerJar(), endpoints(), QUEUE, "", List.of(
                    // Nothing to read queue rates from on the private node (no management plugin): the
                    // producer falls back to a passive declare. The shared node's API is never asked.
                    FAST_START_1, FAST_START_2,
                    "--bullpen.monitor.management-uri=http://127.0.0.1:1",
                    "--bullpen.client.confirm-timeout=5s"), logs);
            broker = join(brokerStart);
            redis = join(redisStart);
            for (ServiceProcess worker : workers) {
                worker.awaitUp(Duration.ofSeconds(120), launched);
            }
            producer.awaitUp(Duration.ofSeconds(120), launched);
        } finally {
            // Whatever happened, keep hold of what did start, so that close() stops it.
            broker = brokerStart.handle((b, e) -> b).join();
            redis = redisStart.handle((r, e) -> r).join();
        }
        redisFactory = endpoints().redisFactory();
        results = new RedisResultBackend(redisFactory, "", Duration.ofHours(1));
    }

    private static <T> T join(CompletableFuture<T> start) throws Exception {
        try {
            return start.join();
        } catch (java.util.concurrent.CompletionException ex) {
            throw ex.getCause() instanceof Exception cause ? cause : ex;
        }
    }

    private void startWorker(int n, Path logs) throws IOException {
        ServiceProcess worker = ServiceProcess.worker(settings.workerJar(), endpoints(), QUEUE, "", List.of(
                FAST_START_1, FAST_START_2,
                "--bullpen.worker.name=chaos-" + n + "@localhost",
                "--bullpen.worker.concurrency=" + settings.concurrency(),
                "--logging.level.dev.bullpen.worker.internal.run.TaskRunner=debug"), logs);
        workers.add(worker);
        workerLogs.add(worker.log());
    }

    Endpoints endpoints() {
        return new Endpoints(URI.create("amqp://guest:guest@127.0.0.1:" + settings.amqpPort() + "/%2F"),
                URI.create("redis://127.0.0.1:" + settings.redisPort() + "/0"));
    }

    PrivateBroker broker() {
        return require(broker);
    }

    PrivateRedis redis() {
        return require(redis);
    }

    ServiceProcess producer() {
        return require(producer);
    }

    List<ServiceProcess> workers() {
        return List.copyOf(workers);
    }

    /** The harness's reader of results (keys without a prefix, as the services write them). */
    RedisResultBackend results() {
        return require(results);
    }

    /** A fresh client for one scenario. */
    TaskClient client() throws Exception {
        return TaskClient.builder(endpoints().amqpFactory(), results())
                .settings(new TaskClientSettings(QUEUE, Duration.ofSeconds(30), 2, true)).build();
    }

    /** The SUCCESS writes Redis made so far. */
    ResultWrites writes() throws IOException {
        return ResultWrites.read(redis().appendOnlyFiles(), "");
    }

    /** Of these tasks, how many ran to the end more than once, over every worker's log (killed ones too). */
    long ranMoreThanOnce(Collection<String> taskIds) throws IOException {
        Map<String, Integer> runs = new HashMap<>();
        for (Path log : workerLogs) {
            try (Stream<String> lines = Files.lines(log)) {
                lines.forEach(line -> {
                    Matcher m = RAN.matcher(line);
                    if (m.find()) {
                        runs.merge(m.group(1), 1, Integer::sum);
                    }
                });
            }
        }
        return taskIds.stream().filter(id -> runs.getOrDefault(id, 0) > 1).count();
    }

    /** Runs of these tasks that {@code worker}'s log records. */
    long ranOn(ServiceProcess worker, Collection<String> taskIds) throws IOException {
        java.util.Set<String> wanted = new java.util.HashSet<>(taskIds);
        try (Stream<String> lines = Files.lines(worker.log())) {
            return lines.map(RAN::matcher).filter(Matcher::find).map(m -> m.group(1)).filter(wanted::contains).count();
        }
    }

    Path dir() {
        return dir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // called from the hook itself
        }
        closeQuietly(results);
        if (redisFactory != null) {
            redisFactory.destroy();
        }
        long stopStarted = System.nanoTime();
        // All at once: each may take seconds to stop gracefully, and none needs another to stop first.
        List<AutoCloseable> running = new ArrayList<>(workers);
        running.add(producer);
        running.add(broker);
        running.add(redis);
        List<Thread> stopping = running.stream().filter(java.util.Objects::nonNull)
                .map(c -> Thread.ofVirtual().start(() -> closeQuietly(c))).toList();
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        System.out.printf("chaos: everything stopped in %.1f s%n", (System.nanoTime() - stopStarted) / 1e9);
        if (!settings.keepFiles()) {
            deleteTree(dir);
        }
    }

    private void closeQuietly() {
        close();
    }

    private static void closeQuietly(@Nullable AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ex) {
            System.err.println("chaos: closing " + closeable.getClass().getSimpleName() + " failed: " + ex);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ex) {
            System.err.println("chaos: could not delete " + root + ": " + ex);
        }
    }

    private static <T> T require(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("the chaos rig is not started");
        }
        return value;
    }

    interface Start<T> {
        T get() throws Exception;
    }

    private static <T> T unchecked(Start<T> start) {
        try {
            return start.get();
        } catch (RuntimeException ex) {
            throw ex;
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
