package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * IO-bound tasks ({@code demo.sleep(0.1)}): how many one worker holds in flight at once, and how
 * throughput grows with worker processes at a fixed concurrency each.
 */
final class IoBoundWorkload {

    static final double SLEEP_SECONDS = 0.1;
    static final List<Integer> SCALING = List.of(1, 2, 4);

    /** The most tasks in flight at once, sampled, and the rate they finished at. */
    record InFlight(double maxInFlight, double perSecond) {
    }

    private final Endpoints endpoints;
    private final Path jar;
    private final String keyPrefix;

    IoBoundWorkload(Endpoints endpoints, Path jar, String keyPrefix) {
        this.endpoints = endpoints;
        this.jar = jar;
        this.keyPrefix = keyPrefix;
    }

    /**
     * One worker with {@code concurrency} slots and as many prefetched, so that every message in
     * flight (the worker's {@code bullpen_tasks_in_flight}) holds a slot: its gauge is sampled while
     * {@code tasks} sleeps run.
     */
    InFlight inFlight(TaskClient client, String queue, int tasks, int concurrency) throws Exception {
        try (ServiceProcess worker = ServiceProcess.worker(jar, endpoints, queue, keyPrefix,
                List.of("--bullpen.worker.concurrency=" + concurrency, "--bullpen.worker.prefetch=" + concurrency))) {
            worker.awaitUp(Duration.ofSeconds(60), Instant.now());
            HttpClient http = HttpClient.newHttpClient();
            AtomicBoolean running = new AtomicBoolean(true);
            double[] max = {0};
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    max[0] = Math.max(max[0], worker.gauge(http, "bullpen_tasks_in_flight"));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ex) {
                        return;
                    }
                }
            });
            double perSecond = run(client, queue, tasks);
            running.set(false);
            sampler.join();
            return new InFlight(max[0], perSecond);
        }
    }

    /**
     * Throughput with 1, 2 and 4 workers of {@code concurrency} each, {@code tasksPerWorker} tasks
     * per worker in each run. All four start at once; worker k consumes the queues of the runs with
     * at least k workers, so each run's queue has exactly its number of consumers.
     */
    List<Double> scaling(TaskClient client, String queuePrefix, int tasksPerWorker, int concurrency) throws Exception {
        int most = SCALING.getLast();
        List<ServiceProcess> workers = new ArrayList<>();
        try {
            for (int k = 1; k <= most; k++) {
                int worker = k;
                String queues = String.join(",", SCALING.stream().filter(n -> n >= worker)
                        .map(n -> queuePrefix + n).toList());
                workers.add(ServiceProcess.worker(jar, endpoints, queues, keyPrefix,
                        List.of("--bullpen.worker.concurrency=" + concurrency)));
            }
            for (ServiceProcess worker : workers) {
                worker.awaitUp(Duration.ofSeconds(120), Instant.now());
            }
            for (int n : SCALING) { // warms every worker's JIT, not counted
                run(client, queuePrefix + n, Math.max(1, tasksPerWorker * n / 4));
            }
            List<Double> rates = new ArrayList<>();
            for (int n : SCALING) {
                rates.add(run(client, queuePrefix + n, tasksPerWorker * n));
            }
            return rates;
        } finally {
            for (ServiceProcess worker : workers) {
                worker.close();
            }
        }
    }

    /** Sends {@code tasks} sleeps to {@code queue} and awaits their results; answers tasks a second. */
    private static double run(TaskClient client, String queue, int tasks) throws Exception {
        long start = System.nanoTime();
        TaskOptions options = TaskOptions.defaults().queue(queue);
        List<CompletableFuture<?>> done = IntStream.range(0, tasks)
                .mapToObj(i -> client.sendAsync("demo.sleep", List.of(SLEEP_SECONDS), Map.of(), options)
                        .thenCompose(TaskHandle::toFuture))
                .<CompletableFuture<?>>map(f -> f)
                .toList();
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return tasks / ((System.nanoTime() - start) / 1e9);
    }
}
