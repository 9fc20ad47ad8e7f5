package dev.bullpen.bench;

import static dev.bullpen.client.Workflow.task;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.Workflow;
import dev.bullpen.result.RedisResultBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * The parameter sweep of docs/workflows.md: a Monte Carlo estimate of pi cut into a chord of
 * {@code demo.pi_chunk} tasks stitched by {@code demo.pi_combine}, timed on 1, 2, ... worker
 * processes of a fixed concurrency each. A second chord of {@code demo.sleep} chunks shows the same
 * on IO-bound work, which a 2-core machine does not cap. Its own queue and key prefix, removed afterwards.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "A pi sweep as a chord (demo.pi_chunk -> demo.pi_combine) on 1..N worker processes: wall time and speed-up.")
public final class Sweep implements Callable<Integer> {

    @Option(names = "--chunks", description = "header tasks per chord (default ${DEFAULT-VALUE})")
    int chunks = 40;

    @Option(names = "--samples", description = "points per pi chunk (default ${DEFAULT-VALUE})")
    long samples = 2_000_000;

    @Option(names = "--workers", split = ",", description = "worker process counts to time (default ${DEFAULT-VALUE})")
    List<Integer> workers = List.of(1, 2, 4);

    @Option(names = "--concurrency", description = "each worker's concurrency (default ${DEFAULT-VALUE})")
    int concurrency = 1;

    @Option(names = "--repeat", description = "timed pi chords per worker count; the table shows the fastest, "
            + "since other load on the machine only ever slows a run (default ${DEFAULT-VALUE})")
    int repeat = 3;

    @Option(names = "--sleep", description = "seconds each chunk of the IO-bound sweep sleeps; 0 skips it (default ${DEFAULT-VALUE})")
    double sleep = 0.5;

    @Mixin
    EndpointOptions where = new EndpointOptions();

    @Option(names = "--worker-jar", description = "the worker's jar (default ${DEFAULT-VALUE})")
    Path workerJar = Path.of("worker/target/bullpen-worker-exec.jar");

    /** One timed chord. */
    record Run(int workers, Duration wall, JsonNode body) {
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(workerJar)) {
            System.err.println("No worker jar at " + workerJar + ": build first with ./mvnw -B -DskipTests package");
            return 2;
        }
        Endpoints endpoints = where.endpoints();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String queue = "bullpen-sweep-" + run;
        String prefix = "bullpen-sweep-" + run + ":";
        var redisFactory = endpoints.redisFactory();
        List<List<Run>> pi = new ArrayList<>();
        List<Run> io = new ArrayList<>();
        List<String> directQueues = WorkerFleet.directQueues(queue, workers.stream().mapToInt(Integer::intValue).max().orElse(0));
        // Stopped with Ctrl-C, the run still stops its worker processes and removes its queue and keys.
        Thread cleanup = new Thread(() -> {
            WorkerFleet.stopAll();
            Cleanup.queue(endpoints, queue);
            directQueues.forEach(q -> Cleanup.queue(endpoints, q));
            Cleanup.keys(redisFactory, prefix);
        }, "sweep-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (var results = new RedisResultBackend(redisFactory, prefix, Duration.ofMinutes(30));
             var client = TaskClient.builder(endpoints.amqpFactory(), results)
                     .settings(new TaskClientSettings(queue, Duration.ofSeconds(30), 4, true)).build()) {
            for (int n : workers) {
                System.out.printf("Starting %d worker(s), concurrency %d each ...%n", n, concurrency);
                try (WorkerFleet fleet = WorkerFleet.start(workerJar, endpoints, queue, prefix, n, concurrency)) {
                    // Warm every JVM's pi loop a little, so the first timed run is not the JIT's.
                    time(client, n, pi(Math.max(n * concurrency * 2, 4), Math.min(samples, 200_000)));
                    List<Run> cpu = new ArrayList<>();
                    for (int i = 0; i < repeat; i++) {
                        Run timed = report("pi", time(client, n, pi(chunks, samples)));
                        check(timed.body().path("samples").asLong() == chunks * samples, "pi_combine counted", timed);
                        cpu.add(timed);
                    }
                    pi.add(cpu);
                    if (sleep > 0) {
                        Run slept = report("sleep", time(client, n, sleeps(chunks, sleep)));
                        check(slept.body().path("args").path(0).size() == chunks, "the body got the sleeps", slept);
                        io.add(slept);
                    }
                }
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            Cleanup.queue(endpoints, queue);
            directQueues.forEach(q -> Cleanup.queue(endpoints, q));
            Cleanup.keys(redisFactory, prefix);
            redisFactory.destroy();
        }
        System.out.printf("%nCPU-bound: %d x demo.pi_chunk(%d) -> demo.pi_combine, concurrency %d per worker, %d cores%n%n",
                chunks, samples, concurrency, Runtime.getRuntime().availableProcessors());
        System.out.println("| workers | wall time (s), fastest | speed-up vs 1 | pi estimate | error | all runs (s) |");
        System.out.println("|---:|---:|---:|---:|---:|---|");
        double base = seconds(fastest(pi.getFirst()));
        for (List<Run> runs : pi) {
            Run r = fastest(runs);
            String all = String.join(", ", runs.stream().map(x -> String.format(Locale.ROOT, "%.2f", seconds(x))).toList());
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f× | %.6f | %.1e | %s |%n", r.workers(), seconds(r),
                    base / seconds(r), r.body().path("pi").asDouble(), r.body().path("error").asDouble(), all);
        }
        if (!io.isEmpty()) {
            System.out.printf("%nIO-bound: %d x demo.sleep(%s) -> demo.echo, concurrency %d per worker%n%n",
                    chunks, sleep, concurrency);
            System.out.println("| workers | wall time (s) | speed-up vs 1 | ideal (s) |");
            System.out.println("|---:|---:|---:|---:|");
            for (Run r : io) {
                double ideal = Math.ceil((double) chunks / (r.workers() * concurrency)) * sleep;
                System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f× | %.2f |%n", r.workers(), seconds(r),
                        seconds(io.getFirst()) / seconds(r), ideal);
            }
        }
        return 0;
    }

    private static Workflow.Chord pi(int chunks, long samples) {
        return Workflow.chord(IntStream.rangeClosed(1, chunks).mapToObj(seed -> task("demo.pi_chunk", samples, seed)).toList(),
                task("demo.pi_combine"));
    }

    private static Workflow.Chord sleeps(int chunks, double seconds) {
        return Workflow.chord(IntStream.range(0, chunks).mapToObj(i -> task("demo.sleep", seconds)).toList(),
                task("demo.echo"));
    }

    private static Run time(TaskClient client, int workers, Workflow.Chord chord) {
        Instant start = Instant.now();
        JsonNode body = client.apply(chord).get(Duration.ofMinutes(10));
        return new Run(workers, Duration.between(start, Instant.now()), body);
    }

    private static Run report(String kind, Run run) {
        System.out.printf(Locale.ROOT, "  %s sweep on %d worker(s): %.2f s%n", kind, run.workers(), seconds(run));
        return run;
    }

    /** A wrong body means the chord lost or repeated a chunk: no figure from that run. */
    private static void check(boolean ok, String what, Run run) {
        if (!ok) {
            throw new IllegalStateException(what + " wrong on " + run.workers() + " worker(s): " + run.body());
        }
    }

    private static Run fastest(List<Run> runs) {
        return runs.stream().min(Comparator.comparing(Run::wall)).orElseThrow();
    }

    private static double seconds(Run run) {
        return run.wall().toNanos() / 1e9;
    }
}
