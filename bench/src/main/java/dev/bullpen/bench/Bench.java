package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.RedisResultBackend;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the workloads against the local broker and Redis and prints one table: Bullpen's figure,
 * Celery's from the same run, and the ratio. Speed is measured here, never asserted by tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {Chaos.class, Sweep.class},
        description = "Bullpen against Celery on this machine's RabbitMQ and Redis, in one run; `chaos` kills things.")
public final class Bench implements Callable<Integer> {

    @Option(names = "--tasks", description = "tasks in the end-to-end workload (default ${DEFAULT-VALUE})")
    int tasks = 20_000;

    @Option(names = "--round-trips", description = "sequential send+get round trips (default ${DEFAULT-VALUE})")
    int roundTrips = 1_000;

    @Option(names = "--celery-tasks", description = "tasks in Celery's bench.py run (default ${DEFAULT-VALUE})")
    int celeryTasks = 5_000;

    @Option(names = "--no-celery", description = "skip Celery's reference run")
    boolean noCelery;

    @Option(names = "--amqp", description = "broker URI (default ${DEFAULT-VALUE})")
    URI amqp = URI.create("amqp://guest:guest@127.0.0.1:5672/%2F");

    @Option(names = "--redis", description = "Redis URI (default ${DEFAULT-VALUE})")
    URI redis = URI.create("redis://127.0.0.1:6379/0");

    @Option(names = "--worker-jar", description = "the worker's jar (default ${DEFAULT-VALUE})")
    Path workerJar = Path.of("worker/target/bullpen-worker-exec.jar");

    @Option(names = "--concurrency", description = "the Bullpen worker's concurrency (default ${DEFAULT-VALUE})")
    int concurrency = 64;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(workerJar)) {
            System.err.println("No worker jar at " + workerJar + ": build first with ./mvnw -B -DskipTests package");
            return 2;
        }
        Endpoints endpoints = new Endpoints(amqp, redis);
        Table table = new Table();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String queue = "bullpen-bench-" + run;
        String prefix = "bullpen-bench-" + run + ":";

        var redisFactory = endpoints.redisFactory();
        try (var results = new RedisResultBackend(redisFactory, prefix, Duration.ofMinutes(30));
             var client = new TaskClient(endpoints.amqpFactory(), results,
                     new TaskClientSettings(queue, Duration.ofSeconds(30), 4, true))) {
            client.send("demo.add", List.of(0, 0), Map.of(), TaskOptions.defaults().ignoreResult(true)); // declares the queue
            Instant launched = Instant.now();
            try (ServiceProcess worker = ServiceProcess.worker(workerJar, endpoints, queue, prefix,
                    List.of("--bullpen.worker.concurrency=" + concurrency))) {
                Duration startup = worker.awaitUp(Duration.ofSeconds(60), launched);
                long idleRss = worker.rssMiB();
                warmUp(client);
                EndToEnd e2e = endToEnd(client, tasks);
                long loadRss = worker.rssMiB();
                double[] latency = roundTrips(client, roundTrips);

                Optional<CeleryReference.Figures> celery = celery(endpoints);
                table.row("end to end: " + tasks + " demo.add, confirms, results awaited (tasks/s)", e2e.perSecond(),
                        celery.map(CeleryReference.Figures::endToEndPerSecond));
                table.row("publish with confirms (tasks/s)", e2e.publishPerSecond(),
                        celery.map(CeleryReference.Figures::publishPerSecond));
                table.row("round trip p50, idle (ms, lower is better)", latency[0], celery.map(CeleryReference.Figures::p50Millis));
                table.row("round trip p99, idle (ms, lower is better)", latency[1], celery.map(CeleryReference.Figures::p99Millis));
                table.row("worker start to consuming (s)", startup.toMillis() / 1000.0, Optional.empty());
                table.row("worker RSS idle (MiB)", idleRss, Optional.empty());
                table.row("worker RSS after the end-to-end load (MiB)", loadRss, Optional.empty());
            }
        } finally {
            redisFactory.destroy();
            deleteQueue(endpoints, queue);
        }
        table.print(System.out);
        return 0;
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

    private static void warmUp(TaskClient client) throws Exception {
        endToEnd(client, 2_000);
    }

    record EndToEnd(double perSecond, double publishPerSecond) {
    }

    private static EndToEnd endToEnd(TaskClient client, int n) throws Exception {
        long start = System.nanoTime();
        List<CompletableFuture<TaskHandle>> sent = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sent.add(client.sendAsync("demo.add", List.of(i, i), Map.of(), TaskOptions.defaults()));
        }
        List<CompletableFuture<?>> done = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int expected = 2 * i;
            done.add(sent.get(i).thenCompose(TaskHandle::toFuture).thenAccept(v -> {
                if (v.asInt() != expected) {
                    throw new IllegalStateException("wrong result " + v + ", expected " + expected);
                }
            }));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        long published = System.nanoTime();
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        long finished = System.nanoTime();
        return new EndToEnd(n / ((finished - start) / 1e9), n / ((published - start) / 1e9));
    }

    private static double[] roundTrips(TaskClient client, int n) {
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            client.send("demo.add", List.of(1, 2)).get(Duration.ofSeconds(10));
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return new double[] {millis[n / 2], millis[(int) Math.ceil(n * 0.99) - 1]};
    }

    private static void deleteQueue(Endpoints endpoints, String queue) {
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
