package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.internal.limits.RateLimits;
import dev.bullpen.worker.test.InProcessWorker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A rate limit holds across workers: three workers (three Spring contexts in this JVM) consume one
 * queue, and a task limited to 10/s starts no faster than that in total, while each run ends in
 * SUCCESS, the work is spread over more than one worker, and other tasks on the queue are not held
 * up behind the limited ones.
 *
 * <p>The bounds are ones only a broken limiter crosses: three workers each holding 10/s on their
 * own (Celery's per-worker limit) would start the 60 tasks in about 2 s, 30 a second; the shared
 * bucket needs about 6 s at 10 a second, and a loaded machine only makes that slower.
 */
class RateLimitIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("limited");
    static final int LIMIT = 10;
    static final int TASKS = 60;
    static final Duration WAIT = Duration.ofSeconds(90);

    record Run(String taskId, String worker, long nanos) {
    }

    static final ConcurrentLinkedQueue<Run> runs = new ConcurrentLinkedQueue<>();
    static final List<ConfigurableApplicationContext> workers = new ArrayList<>();

    @BeforeAll
    static void startThreeWorkers() {
        for (int i = 1; i <= 3; i++) {
            workers.add(startWorker(services.workerName("rate-" + i))); // its direct queue goes with the class
        }
        workers.forEach(w -> await().atMost(WAIT).until(w.getBean(Worker.class)::isConsuming));
    }

    @AfterAll
    static void stopWorkers() {
        workers.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void theLimitHoldsAcrossThreeWorkersAndEveryTaskSucceeds() {
        TaskClient client = workers.getFirst().getBean(TaskClient.class);
        List<CompletableFuture<TaskHandle>> sent = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            sent.add(client.sendAsync("test.limited", List.of(i), Map.of(), TaskOptions.defaults()));
        }
        List<TaskHandle> limited = sent.stream().map(CompletableFuture::join).toList();
        // Published behind the whole limited batch, on the same queue.
        List<TaskHandle> free = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            free.add(client.send("demo.add", List.of(i, 1)));
        }

        for (TaskHandle handle : free) {
            assertThat(handle.get(WAIT, Integer.class)).isPositive();
        }
        int limitedStartedWhenFreeWereDone = runs.size();
        for (int i = 0; i < TASKS; i++) {
            assertThat(limited.get(i).get(WAIT, Integer.class)).isEqualTo(i);
        }

        List<Run> all = List.copyOf(runs);
        assertThat(all).as("each task ran exactly once").hasSize(TASKS)
                .extracting(Run::taskId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(limited.stream().map(TaskHandle::id).toList());
        Map<String, Long> perWorker = all.stream().collect(Collectors.groupingBy(Run::worker, Collectors.counting()));
        assertThat(perWorker).as("runs per worker %s", perWorker).hasSizeGreaterThan(1);

        long[] starts = all.stream().mapToLong(Run::nanos).sorted().toArray();
        double spanSeconds = (starts[TASKS - 1] - starts[0]) / 1e9;
        int busiest = busiestWindow(starts, Duration.ofSeconds(2));
        // At 10/s from one bucket: ~5.9 s from first to last, ~21 in any 2 s. Per-worker buckets: ~2 s, ~60.
        assertThat(spanSeconds).as("first to last start, s").isGreaterThan(0.66 * (TASKS - 1) / LIMIT);
        assertThat(busiest).as("most starts in any 2 s window").isLessThanOrEqualTo(3 * LIMIT);
        assertThat(limitedStartedWhenFreeWereDone).as("limited tasks started by the time the free ones were done")
                .isLessThan(TASKS / 2);

        double held = 0;
        for (ConfigurableApplicationContext worker : workers) {
            held += worker.getBean(MeterRegistry.class).find(MeterNames.TASKS_RATE_LIMITED)
                    .tag(MeterNames.TAG_TASK, "test.limited").counters().stream().mapToDouble(c -> c.count()).sum();
        }
        assertThat(held).as("tasks that waited for a token or were parked").isPositive();
        try (var redis = services.redisConnectionFactory().getConnection()) {
            assertThat(redis.keyCommands().exists((services.redisPrefix() + RateLimits.KEY_PREFIX + "test.limited").getBytes()))
                    .as("the bucket lives under the key prefix").isTrue();
        }
        System.out.printf("rate limit %d/s, 3 workers: %d tasks started over %.2f s (%.1f/s), at most %d in a 2 s window,"
                + " per worker %s, %d had started when the free tasks were done%n", LIMIT, TASKS, spanSeconds,
                (TASKS - 1) / spanSeconds, busiest, perWorker, limitedStartedWhenFreeWereDone);
    }

    /** The most starts within any window of the given length that begins at a start. */
    private static int busiestWindow(long[] sortedStarts, Duration window) {
        int most = 0;
        int end = 0;
        for (int begin = 0; begin < sortedStarts.length; begin++) {
            while (end < sortedStarts.length && sortedStarts[end] - sortedStarts[begin] < window.toNanos()) {
                end++;
            }
            most = Math.max(most, end - begin);
        }
        return most;
    }

    private static ConfigurableApplicationContext startWorker(String name) {
        return InProcessWorker.on(services).queues(QUEUE).name(name).property("bullpen.worker.concurrency", "4")
                .property("bullpen.client.default-queue", QUEUE).with(Config.class).run();
    }

    @TestConfiguration
    static class Config {

        @Bean
        LimitedTasks limitedTasks(WorkerProperties properties) {
            return new LimitedTasks(properties.nodeName());
        }
    }

    static class LimitedTasks {

        private final String worker;

        LimitedTasks(String worker) {
            this.worker = worker;
        }

        @Task(value = "test.limited", rateLimit = "10/s")
        int limited(int n, TaskContext context) {
            runs.add(new Run(context.id(), worker, System.nanoTime()));
            return n;
        }
    }
}
