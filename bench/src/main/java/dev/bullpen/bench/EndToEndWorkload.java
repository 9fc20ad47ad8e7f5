package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Tasks through {@link TaskClient} to a running worker and back: many at once (durable queue,
 * publisher confirms, ack after the result is stored, every result awaited), and one at a time.
 */
final class EndToEndWorkload {

    private EndToEndWorkload() {
    }

    /**
     * Runs of {@code tasks}, untimed: at least {@code minRuns}, then until two in a row agree within
     * 7 % or {@code maxRuns} ran; answers them, the first being the cold one. A service runs warm, and
     * on two cores the JIT of both JVMs takes 80,000-100,000 tasks to finish, while two runs of 20,000 agree within 7 % long before (5,547
     * then 5,893 tasks/s): the first 20,000 ran at 4,600 tasks/s, the fifth and sixth at 8,600-8,900,
     * and round trips after them had a p99 of 1.7 ms against 5-7 ms after one run ({@code bench client
     * --repeat 6}). Celery has no JIT to warm; PerfTest warms within its own run.
     */
    static List<EndToEnd> warmUp(TaskClient client, int tasks, int minRuns, int maxRuns) throws Exception {
        List<EndToEnd> runs = new ArrayList<>();
        do {
            runs.add(run(client, tasks));
        } while (runs.size() < minRuns || (runs.size() < maxRuns && !steady(runs)));
        return runs;
    }

    private static boolean steady(List<EndToEnd> runs) {
        if (runs.size() < 2) {
            return false;
        }
        double last = runs.getLast().perSecond();
        double before = runs.get(runs.size() - 2).perSecond();
        return Math.abs(last - before) <= 0.07 * before;
    }

    /** Tasks a second from first send to last result, and from first send to last confirm. */
    record EndToEnd(double perSecond, double publishPerSecond) {
    }

    /** {@code n} {@code demo.add} sent at once, every result awaited and checked. */
    static EndToEnd run(TaskClient client, int n) throws Exception {
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

    /** Round trips run and dropped before the timed ones: the sequential path is not the batch one. */
    static final int ROUND_TRIP_WARM_UP = 200;

    /** {@code n} sequential send+get on an idle queue, after the warm-up: {p50, p99} in milliseconds. */
    static double[] roundTrips(TaskClient client, int n) {
        for (int i = 0; i < ROUND_TRIP_WARM_UP; i++) {
            client.send("demo.add", List.of(1, 2)).get(Duration.ofSeconds(10));
        }
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            client.send("demo.add", List.of(1, 2)).get(Duration.ofSeconds(10));
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return new double[] {millis[n / 2], millis[(int) Math.ceil(n * 0.99) - 1]};
    }
}
