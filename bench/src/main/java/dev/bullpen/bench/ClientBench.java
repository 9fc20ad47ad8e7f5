package dev.bullpen.bench;

import org.jspecify.annotations.Nullable;
import com.sun.management.OperatingSystemMXBean;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.RedisResultBackend;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Only the client's workloads, for comparing two builds of the client quickly and alternately (A B A B)
 * on a shared machine: the end-to-end run repeated, with the CPU each process spent a task, then the
 * round trips with their whole distribution and the collections that happened meanwhile.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "End to end and round trips only, with CPU per task of this JVM and of the worker.")
public final class ClientBench implements Callable<Integer> {

    @Option(names = "--tasks", description = "tasks per end-to-end run (default ${DEFAULT-VALUE})")
    int tasks = 20_000;

    @Option(names = "--repeat", description = "end-to-end runs, after the 2,000-task warm-up (default ${DEFAULT-VALUE})")
    int repeat = 3;

    @Option(names = "--round-trips", description = "sequential send+get round trips (default ${DEFAULT-VALUE})")
    int roundTrips = 1_000;

    @Option(names = "--round-trip-warm-up", description = "round trips run and discarded first, so that the "
            + "sequential path is compiled too (default ${DEFAULT-VALUE})")
    int roundTripWarmUp = 200;

    @Option(names = "--listeners", description = "other result backends in this JVM, each waiting on a task that "
            + "never comes, as other clients of the same key prefix would (default ${DEFAULT-VALUE})")
    int listeners = 0;

    @Option(names = "--concurrency", description = "the worker's concurrency (default ${DEFAULT-VALUE})")
    int concurrency = 64;

    @Option(names = "--queue", description = "use the worker already consuming this queue (with --key-prefix and "
            + "--worker-pid) rather than starting one, so that alternate runs of two builds share it")
    @Nullable String queue;

    @Option(names = "--key-prefix", description = "that worker's bullpen.result.key-prefix")
    String keyPrefix = "";

    @Option(names = "--worker-pid", description = "that worker's process id, for its CPU per task")
    long workerPid;

    @Option(names = "--startup-timeout", description = "how long a started worker may take to be UP (default ${DEFAULT-VALUE})")
    Duration startupTimeout = Duration.ofMinutes(3);

    @Mixin
    EndpointOptions where = new EndpointOptions();

    @Option(names = "--worker-jar", description = "the worker's jar (default ${DEFAULT-VALUE})")
    Path workerJar = Path.of("worker/target/bullpen-worker-exec.jar");

    @Override
    public Integer call() throws Exception {
        if (this.queue == null && !Files.isRegularFile(workerJar)) {
            System.err.println("No worker jar at " + workerJar + ": build first with ./mvnw -B -DskipTests package");
            return 2;
        }
        Endpoints endpoints = where.endpoints();
        String run = UUID.randomUUID().toString().substring(0, 8);
        boolean own = this.queue == null;
        String queue = this.queue != null ? this.queue : "bullpen-bench-client-" + run;
        String prefix = own ? "bullpen-bench-client-" + run + ":" : keyPrefix;
        var redisFactory = endpoints.redisFactory();
        List<RedisResultBackend> others = new ArrayList<>();
        try (var results = new RedisResultBackend(redisFactory, prefix, Duration.ofMinutes(30));
             var client = TaskClient.builder(endpoints.amqpFactory(), results)
                     .settings(new TaskClientSettings(queue, Duration.ofSeconds(30), 4, true)).build()) {
            for (int i = 0; i < listeners; i++) {
                RedisResultBackend other = new RedisResultBackend(redisFactory, prefix, Duration.ofMinutes(30));
                other.whenReady("never-" + UUID.randomUUID());
                others.add(other);
            }
            client.send("demo.add", List.of(0, 0), Map.of(), TaskOptions.defaults().ignoreResult(true)); // declares the queue
            try (ServiceProcess worker = own ? ServiceProcess.worker(workerJar, endpoints, queue, prefix,
                    List.of("--bullpen.worker.concurrency=" + concurrency)) : null) {
                long pid = worker != null ? worker.pid() : workerPid;
                if (worker != null) {
                    worker.awaitUp(startupTimeout, Instant.now());
                }
                EndToEndWorkload.warmUp(client, 2_000, 1, 1);
                System.out.println("| run | tasks/s | publish tasks/s | client CPU ms/task | client KiB allocated/task "
                        + "| worker CPU ms/task | load avg |");
                System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
                for (int r = 1; r <= repeat; r++) {
                    long cpu0 = cpuNanos();
                    long allocated0 = allocatedBytes();
                    long worker0 = processCpuNanos(pid);
                    EndToEndWorkload.EndToEnd e2e = EndToEndWorkload.run(client, tasks);
                    double clientMs = (cpuNanos() - cpu0) / 1e6 / tasks;
                    double clientKiB = (allocatedBytes() - allocated0) / 1024.0 / tasks;
                    double workerMs = (processCpuNanos(pid) - worker0) / 1e6 / tasks;
                    System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %.4f | %.2f | %.4f | %.2f |%n", r, e2e.perSecond(),
                            e2e.publishPerSecond(), clientMs, clientKiB, workerMs, loadAverage());
                }
                long self = ProcessHandle.current().pid();
                // A worker of --queue given without --worker-pid: only this JVM can be watched.
                Duration quiet = pid > 0 ? ProcessCpu.awaitQuiet(Duration.ofSeconds(60), pid, self)
                        : ProcessCpu.awaitQuiet(Duration.ofSeconds(60), self);
                System.out.printf(Locale.ROOT, "(the worker and this JVM went quiet after %.1f s)%n", quiet.toMillis() / 1000.0);
                roundTrips(client);
            }
        } finally {
            others.forEach(RedisResultBackend::close);
            if (own) {
                Cleanup.queue(endpoints, queue);
                Cleanup.keys(redisFactory, prefix);
            }
            redisFactory.destroy();
        }
        return 0;
    }

    private void roundTrips(TaskClient client) {
        for (int i = 0; i < roundTripWarmUp; i++) {
            client.send("demo.add", List.of(1, 2)).get(Duration.ofSeconds(10));
        }
        long gcs0 = collections();
        long gcMillis0 = collectionMillis();
        double[] millis = new double[roundTrips];
        double[] confirmed = new double[roundTrips]; // send() returns once the broker confirmed
        List<String> slow = new ArrayList<>();
        long begin = System.nanoTime();
        for (int i = 0; i < roundTrips; i++) {
            long start = System.nanoTime();
            var handle = client.send("demo.add", List.of(1, 2));
            confirmed[i] = (System.nanoTime() - start) / 1e6;
            handle.get(Duration.ofSeconds(10));
            millis[i] = (System.nanoTime() - start) / 1e6;
            if (millis[i] > 3) {
                slow.add(String.format(Locale.ROOT, "#%d at %.0f ms: %.2f", i, (start - begin) / 1e6, millis[i]));
            }
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%nRound trips (%d, after %d discarded): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  "
                        + "max %.3f ms; %d collections (%d ms) meanwhile; load avg %.2f%n", roundTrips, roundTripWarmUp,
                at(sorted, 0.5), at(sorted, 0.9), at(sorted, 0.99), at(sorted, 0.999), sorted[sorted.length - 1],
                collections() - gcs0, collectionMillis() - gcMillis0, loadAverage());
        int[] bounds = {0, 1, 2, 3, 5, 10, 20, 50};
        StringBuilder histogram = new StringBuilder("histogram (ms):");
        for (int b = 0; b < bounds.length; b++) {
            int lo = bounds[b];
            int hi = b + 1 < bounds.length ? bounds[b + 1] : Integer.MAX_VALUE;
            long count = Arrays.stream(millis).filter(m -> m >= lo && m < hi).count();
            histogram.append(String.format(Locale.ROOT, "  [%d,%s) %d", lo, hi == Integer.MAX_VALUE ? "∞" : hi, count));
        }
        System.out.println(histogram);
        double[] sortedConfirms = confirmed.clone();
        Arrays.sort(sortedConfirms);
        System.out.printf(Locale.ROOT, "of which until send() returned (the broker's confirm): p50 %.3f  p90 %.3f  p99 %.3f ms%n",
                at(sortedConfirms, 0.5), at(sortedConfirms, 0.9), at(sortedConfirms, 0.99));
        System.out.println("over 3 ms: " + (slow.isEmpty() ? "none" : slow.size() + ", the first: "
                + String.join("; ", slow.subList(0, Math.min(slow.size(), 12)))));
    }

    private static double at(double[] sorted, double quantile) {
        return sorted[(int) Math.ceil(sorted.length * quantile) - 1];
    }

    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long processCpuNanos(long pid) throws Exception {
        return pid <= 0 ? 0 : (long) (ProcessCpu.seconds(pid) * 1e9);
    }

    /** Bytes allocated by every thread of this JVM so far: unlike CPU time, the machine's load does not move it. */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long collectionMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
