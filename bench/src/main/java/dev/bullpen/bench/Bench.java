package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.RedisResultBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the workloads against the local broker and Redis and prints one table: Bullpen's figure,
 * Celery's from the same run, and the ratio. Speed is measured here, never asserted by tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {Chaos.class, Sweep.class, Cpu.class, ClientBench.class},
        description = "Bullpen against Celery on this machine's RabbitMQ and Redis, in one run; `chaos` kills things.")
public final class Bench implements Callable<Integer> {

    @Option(names = "--tasks", description = "tasks in the end-to-end workload (default ${DEFAULT-VALUE})")
    int tasks = 20_000;

    @Option(names = "--warm-up-runs", description = "untimed end-to-end runs before the timed one: at least this "
            + "many, then until two in a row agree within 7 %%, at most twice as many (default ${DEFAULT-VALUE})")
    int warmUpRuns = 5;

    @Option(names = "--round-trips", description = "sequential send+get round trips (default ${DEFAULT-VALUE})")
    int roundTrips = 1_000;

    @Option(names = "--celery-tasks", description = "tasks in Celery's bench.py run (default ${DEFAULT-VALUE})")
    int celeryTasks = 5_000;

    @Option(names = "--no-celery", description = "skip Celery's reference runs")
    boolean noCelery;

    @Option(names = "--no-perf-test", description = "skip PerfTest's reference runs")
    boolean noPerfTest;

    @Option(names = "--perf-test-seconds", description = "PerfTest's publish+consume run (default ${DEFAULT-VALUE})")
    int perfTestSeconds = 10;

    @Option(names = "--perf-test-size", description = "PerfTest's message size in bytes, about a demo.add message "
            + "with its headers (default ${DEFAULT-VALUE})")
    int perfTestSize = 512;

    @Option(names = "--drain-tasks", description = "the backlog one worker drains (default ${DEFAULT-VALUE})")
    int drainTasks = 20_000;

    @Option(names = "--http-seconds", description = "each HTTP submit run (default ${DEFAULT-VALUE})")
    int httpSeconds = 10;

    @Option(names = "--http-connections", description = "concurrent HTTP requests (default ${DEFAULT-VALUE})")
    int httpConnections = 64;

    @Option(names = "--batch-size", description = "tasks per POST /api/tasks/batch (default ${DEFAULT-VALUE})")
    int batchSize = 100;

    @Option(names = "--io-tasks", description = "demo.sleep(0.1) tasks on one worker (default ${DEFAULT-VALUE})")
    int ioTasks = 20_000;

    @Option(names = "--io-concurrency", description = "that worker's concurrency (default ${DEFAULT-VALUE})")
    int ioConcurrency = 10_000;

    @Option(names = "--scaling-concurrency", description = "each worker's concurrency in the 1, 2, 4 worker runs "
            + "(default ${DEFAULT-VALUE})")
    int scalingConcurrency = 50;

    @Option(names = "--scaling-tasks", description = "demo.sleep(0.1) tasks per worker in each of those runs "
            + "(default ${DEFAULT-VALUE})")
    int scalingTasks = 1_500;

    @Mixin
    EndpointOptions where = new EndpointOptions();

    @Option(names = "--worker-jar", description = "the worker's jar (default ${DEFAULT-VALUE})")
    Path workerJar = Path.of("worker/target/bullpen-worker-exec.jar");

    @Option(names = "--producer-jar", description = "the producer's jar (default ${DEFAULT-VALUE})")
    Path producerJar = Path.of("producer/target/bullpen-producer-exec.jar");

    @Option(names = "--service-java-option", description = "a JVM option for every worker and producer the bench "
            + "starts, e.g. -XX:StartFlightRecording=filename=/tmp/bullpen-%%p.jfr (repeatable)")
    List<String> serviceJavaOptions = List.of();

    @Option(names = "--worker-launch", description = "how workers start: image (the worker image's JVM options and "
            + "an AOT cache trained as its build does, the default), image-no-cache, or plain (no options); with "
            + "image, one more worker starts without the cache for the start-up rows")
    String workerLaunchMode = "image";

    @Option(names = "--concurrency", description = "the Bullpen worker's concurrency (default ${DEFAULT-VALUE})")
    int concurrency = 64;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (Path jar : List.of(workerJar, producerJar)) {
            if (!Files.isRegularFile(jar)) {
                System.err.println("No jar at " + jar + ": build first with ./mvnw -B -DskipTests package");
                return 2;
            }
        }
        ServiceProcess.javaOptions = List.copyOf(serviceJavaOptions);
        ServiceProcess.workerLaunch = workerLaunch();
        Endpoints endpoints = where.endpoints();
        Scorecard scorecard;
        String run = UUID.randomUUID().toString().substring(0, 8);
        String queue = "bullpen-bench-" + run;
        String prefix = "bullpen-bench-" + run + ":";
        List<String> queues = new ArrayList<>(List.of(queue));
        System.out.println("Run " + run + ": queues " + queue + "*, Redis keys " + prefix + "*, all deleted at the end");

        var redisFactory = endpoints.redisFactory();
        try (var results = new RedisResultBackend(redisFactory, prefix, Duration.ofMinutes(30));
             var client = TaskClient.builder(endpoints.amqpFactory(), results)
                     .settings(new TaskClientSettings(queue, Duration.ofSeconds(30), 4, true)).build()) {
            client.send("demo.add", List.of(0, 0), Map.of(), TaskOptions.defaults().ignoreResult(true)); // declares the queue
            Instant launched = Instant.now();
            EndToEndWorkload.EndToEnd e2e;
            List<EndToEndWorkload.EndToEnd> warmUp;
            DrainWorkload.Drained warmDrain;
            double[] latency;
            Duration startup;
            long idleRss;
            long loadRss;
            try (ServiceProcess worker = ServiceProcess.worker(workerJar, endpoints, queue, prefix,
                    List.of("--bullpen.worker.concurrency=" + concurrency))) {
                startup = worker.awaitUp(Duration.ofSeconds(60), launched);
                idleRss = worker.idleRssMiB();
                warmUp = EndToEndWorkload.warmUp(client, tasks, warmUpRuns, 2 * warmUpRuns);
                System.out.println("End to end warm-up, tasks/s: " + warmUp.stream()
                        .map(r -> String.format(Locale.ROOT, "%.0f", r.perSecond())).toList());
                try (RssSampler rss = new RssSampler(worker)) {
                    e2e = EndToEndWorkload.run(client, tasks);
                    loadRss = rss.max();
                }
                // "On an idle system": the JIT of both JVMs goes on compiling the burst's hot paths for seconds.
                Duration quiet = ProcessCpu.awaitQuiet(Duration.ofSeconds(60), worker.pid(), ProcessHandle.current().pid());
                System.out.printf(Locale.ROOT, "Round trips, once the worker and the bench went quiet (after %.1f s) ...%n",
                        quiet.toMillis() / 1000.0);
                latency = EndToEndWorkload.roundTrips(client, roundTrips);
                System.out.println("Worker drain by the warm worker (" + drainTasks + " tasks, published while it stands frozen) ...");
                warmDrain = new DrainWorkload(endpoints, drainTasks).warm(worker, queue, prefix, client);
            }
            Optional<StartUp> uncached = Optional.empty();
            if (ServiceProcess.workerLaunch.cached()) {
                try {
                    uncached = Optional.of(startUp(WorkerLaunch.imageWithoutCache(), endpoints, queue, prefix));
                } catch (IllegalStateException slow) {
                    // Only a comparison row: the run goes on without it.
                    System.out.println("(the worker without the AOT cache did not come up: " + slow.getMessage() + ")");
                }
            }
            Optional<CeleryReference.Figures> celery = celery(endpoints);
            Optional<PerfTestReference.Figures> perfTest = perfTest(endpoints, queue + "-");

            System.out.println("Worker drain (" + drainTasks + " tasks) ...");
            DrainWorkload drain = new DrainWorkload(endpoints, drainTasks);
            queues.add(queue + "-drain");
            DrainWorkload.Drained drained = drain.bullpen(workerJar, queue + "-drain", prefix, client,
                    List.of("--bullpen.worker.concurrency=" + concurrency));
            Optional<Double> celeryDrain = Optional.empty();
            if (celeryAnchors().isPresent()) {
                queues.add(queue + "-celery-drain");
                celeryDrain = Optional.of(drain.celery(celeryAnchors().get(), queue + "-celery-drain"));
            }

            System.out.println("HTTP submit (" + httpSeconds + " s each) ...");
            queues.add(queue + "-http");
            HttpSubmitWorkload http = new HttpSubmitWorkload(endpoints, queue + "-http", httpConnections,
                    Duration.ofSeconds(httpSeconds));
            double single;
            double batch;
            try (ServiceProcess producer = ServiceProcess.producer(producerJar, endpoints, queue + "-http", prefix, List.of(), null)) {
                producer.awaitUp(Duration.ofSeconds(60), Instant.now());
                single = http.single(producer);
                batch = http.batch(producer, batchSize);
            }

            System.out.println("IO-bound (" + ioTasks + " demo.sleep(0.1), then 1, 2, 4 workers) ...");
            IoBoundWorkload io = new IoBoundWorkload(endpoints, workerJar, prefix);
            queues.add(queue + "-io");
            IoBoundWorkload.InFlight inFlight = io.inFlight(client, queue + "-io", ioTasks, ioConcurrency);
            IoBoundWorkload.SCALING.forEach(n -> queues.add(queue + "-scale-" + n));
            List<Double> scaling = io.scaling(client, queue + "-scale-", scalingTasks, scalingConcurrency);

            scorecard = new Scorecard(this, e2e, warmUp.getFirst(), drained, warmDrain, celeryDrain,
                    new Scorecard.RoundTrips(latency[0], latency[1]), single, batch, inFlight, scaling,
                    new StartUp(startup, idleRss), uncached, loadRss, celery, perfTest);
        } finally {
            deleteKeys(redisFactory, prefix);
            redisFactory.destroy();
            queues.forEach(q -> deleteQueue(endpoints, q));
        }
        scorecard.table().print(System.out);
        return 0;
    }

    /** Start-up time and idle RSS of one worker. */
    record StartUp(Duration time, long idleRss) {
    }

    /** One worker started {@code launch}'s way on the end-to-end queue, up, measured, stopped. */
    private StartUp startUp(WorkerLaunch launch, Endpoints endpoints, String queue, String prefix) throws Exception {
        WorkerLaunch before = ServiceProcess.workerLaunch;
        ServiceProcess.workerLaunch = launch;
        try {
            Instant launched = Instant.now();
            try (ServiceProcess worker = ServiceProcess.worker(workerJar, endpoints, queue, prefix,
                    List.of("--bullpen.worker.concurrency=" + concurrency))) {
                Duration time = worker.awaitUp(Duration.ofSeconds(60), launched);
                return new StartUp(time, worker.idleRssMiB());
            }
        } finally {
            ServiceProcess.workerLaunch = before;
        }
    }

    private WorkerLaunch workerLaunch() throws Exception {
        return switch (workerLaunchMode) {
            case "plain" -> WorkerLaunch.plain();
            case "image-no-cache" -> WorkerLaunch.imageWithoutCache();
            case "image" -> {
                if (Runtime.version().feature() < 25) {
                    // -XX:AOTCacheOutput and TrimNativeHeapInterval as a product flag need the image's JDK 25.
                    System.out.println("Java " + Runtime.version().feature() + ": workers start plain (no image "
                            + "options, no AOT cache); run the bench on JDK 25 to start them as the image does");
                    yield WorkerLaunch.plain();
                }
                Path dir = workerJar.toAbsolutePath().resolveSibling("bench-aot");
                System.out.println("Training the worker's AOT cache in " + dir + " as the image build does ...");
                yield WorkerLaunch.image(workerJar, dir);
            }
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--worker-launch is image, image-no-cache or plain, not " + workerLaunchMode);
        };
    }

    private Optional<Path> celeryAnchors() {
        if (noCelery || !CeleryReference.celeryInstalled()) {
            return Optional.empty();
        }
        return CeleryReference.anchors(Path.of(""));
    }

    private Optional<CeleryReference.Figures> celery(Endpoints endpoints) throws Exception {
        if (noCelery) {
            return Optional.empty();
        }
        Optional<Path> anchors = CeleryReference.anchors(Path.of(""));
        if (anchors.isEmpty() || !CeleryReference.celeryInstalled()) {
            System.out.println("(Celery reference skipped: " + (anchors.isEmpty()
                    ? "no shared/anchors/celery folder above this one" : "python3-celery is not installed") + ")");
            return Optional.empty();
        }
        System.out.println("Running Celery's reference bench (" + celeryTasks + " tasks) ...");
        return Optional.of(CeleryReference.measure(anchors.get(), endpoints, celeryTasks));
    }

    private Optional<PerfTestReference.Figures> perfTest(Endpoints endpoints, String queuePrefix) {
        if (noPerfTest) {
            return Optional.empty();
        }
        System.out.println("Running PerfTest (" + perfTestSeconds + " s publish+consume, then a " + drainTasks
                + " message drain, each with plain and with Celery-shaped messages, then "
                + PerfTestReference.latencySeconds(perfTestSeconds) + " s of latency) ...");
        int prefetch = 2 * concurrency; // the worker's default prefetch
        PerfTestReference.Figures figures = new PerfTestReference(endpoints, queuePrefix, perfTestSize, prefetch)
                .measure(perfTestSeconds, drainTasks);
        System.out.printf(Locale.ROOT, "PerfTest latency, one confirm outstanding: confirm p50 %.2f p99 %.2f ms, "
                        + "publish to delivery p50 %.2f p99 %.2f ms%n", figures.confirm().p50(), figures.confirm().p99(),
                figures.consumer().p50(), figures.consumer().p99());
        return Optional.of(figures);
    }

    /** Deletes the results and anything else the bench's workers stored under its key prefix. */
    private static void deleteKeys(org.springframework.data.redis.connection.RedisConnectionFactory factory,
            String prefix) {
        try (var redis = factory.getConnection();
             var keys = redis.keyCommands().scan(org.springframework.data.redis.core.ScanOptions.scanOptions()
                     .match(prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*").count(1_000).build())) {
            List<byte[]> batch = new ArrayList<>();
            while (keys.hasNext()) {
                batch.add(keys.next());
                if (batch.size() == 1_000 || !keys.hasNext()) {
                    redis.keyCommands().unlink(batch.toArray(byte[][]::new));
                    batch.clear();
                }
            }
        } catch (RuntimeException ex) {
            System.err.println("Could not delete the bench's Redis keys under " + prefix + ": " + ex);
        }
    }

    /** Deletes a queue the bench made, its exchange of the same name and its dead-letter queue. */
    static void deleteQueue(Endpoints endpoints, String queue) {
        try (var connection = endpoints.amqpFactory().newConnection("bullpen-bench-cleanup");
             var channel = connection.createChannel()) {
            channel.queueDelete(queue);
            channel.exchangeDelete(queue);
            channel.queueDelete(queue + ".dlq");
        } catch (Exception ignored) {
            // best effort
        }
    }
}
