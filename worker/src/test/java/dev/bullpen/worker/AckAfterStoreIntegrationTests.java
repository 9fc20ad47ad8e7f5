package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.client.TaskClient;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ForwardingResultBackend;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A message is acknowledged only once its result is stored. A failed write is retried with the
 * result in hand, so the task does not run again; only when writes keep failing past
 * {@code bullpen.worker.result-retry-timeout} does the message go back to the broker, and the task
 * runs again. Either way the result is never lost.
 */
@SpringBootTest(classes = {WorkerApplication.class, AckAfterStoreIntegrationTests.FlakyStore.class},
        properties = {"server.port=0", "bullpen.worker.result-retry-timeout=1s"})
class AckAfterStoreIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("tasks");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @Autowired
    TaskClient client;

    @Autowired
    FlakyBackend backend;

    @Autowired
    CountingTasks counting;

    @Test
    void aWriteThatFailsIsRetriedWithoutRunningTheTaskAgain() {
        backend.failNextStores.set(2);

        var handle = client.send("ack.add", List.of(20, 22));

        assertThat(handle.get(Duration.ofSeconds(30), Integer.class)).isEqualTo(42);
        assertThat(backend.attempts(handle.id())).as("two failed writes, then the third stored it").isEqualTo(3);
        assertThat(counting.runs(handle.id())).as("the task ran once").isEqualTo(1);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void writesThatFailPastTheRetryTimeoutSendTheMessageBackAndTheTaskRunsAgain() {
        backend.failUntil.set(System.nanoTime() + Duration.ofMillis(2500).toNanos());

        var handle = client.send("ack.add", List.of(1, 2));

        assertThat(handle.get(Duration.ofSeconds(30), Integer.class)).isEqualTo(3);
        assertThat(counting.runs(handle.id())).as("redelivered after 1 s of failed writes, run again").isGreaterThan(1);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
    }

    /** Counts its runs per task id. */
    static class CountingTasks {

        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        @Task("ack.add")
        long add(long x, long y, TaskContext context) {
            runs.computeIfAbsent(context.id(), id -> new AtomicInteger()).incrementAndGet();
            return x + y;
        }

        int runs(String id) {
            AtomicInteger count = runs.get(id);
            return count == null ? 0 : count.get();
        }
    }

    /** The real Redis backend, made to fail its next few writes as if Redis were briefly unreachable. */
    static final class FlakyBackend extends ForwardingResultBackend {

        final AtomicInteger failNextStores = new AtomicInteger();
        final AtomicLong failUntil = new AtomicLong(System.nanoTime());
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

        FlakyBackend(RedisResultBackend delegate) {
            super(delegate);
        }

        @Override
        public boolean store(TaskResult result) {
            attempts.computeIfAbsent(result.taskId(), id -> new AtomicInteger()).incrementAndGet();
            if (failNextStores.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || System.nanoTime() - failUntil.get() < 0) {
                throw new IllegalStateException("Redis is unreachable (injected)");
            }
            return delegate.store(result);
        }

        int attempts(String taskId) {
            AtomicInteger count = attempts.get(taskId);
            return count == null ? 0 : count.get();
        }
    }

    @TestConfiguration
    static class FlakyStore {

        @Bean
        CountingTasks countingTasks() {
            return new CountingTasks();
        }

        @Bean
        @Primary
        FlakyBackend flakyBackend(LettuceConnectionFactory redis) {
            return new FlakyBackend(new RedisResultBackend(redis, services.redisPrefix(), Duration.ofMinutes(5)));
        }
    }
}
