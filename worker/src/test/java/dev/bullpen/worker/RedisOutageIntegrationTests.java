package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BrokerManagement;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TcpProxy;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Redis goes away while tasks run (the worker reaches the shared Redis through a {@link TcpProxy}
 * the test switches off, then on): each finished task holds its result and its unacknowledged
 * message, retrying the write, and once Redis is back stores SUCCESS and only then acknowledges.
 * Every task ran once. The test reads results and counts from the real Redis and broker directly.
 */
@SpringBootTest(classes = {WorkerApplication.class, RedisOutageIntegrationTests.Config.class}, properties = "server.port=0")
class RedisOutageIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("tasks");
    static final int TASKS = 6;
    static final Duration WAIT = Duration.ofSeconds(60);

    static TcpProxy proxy;
    static RedisResultBackend results;
    static TaskClient direct;
    static final BrokerManagement management = new BrokerManagement(services);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        proxy = new TcpProxy(services.redisUri().getHost(), services.redisUri().getPort()).start();
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", () -> proxy.port());
        // Each write fails within a second while Redis is away, so the worker retries several times.
        registry.add("spring.data.redis.timeout", () -> "1s");
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.worker.concurrency", () -> Integer.toString(TASKS));
        registry.add("bullpen.worker.result-retry-timeout", () -> "2m");
    }

    @BeforeAll
    static void connect() {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofMinutes(10));
        direct = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(new TaskClientSettings(QUEUE, Duration.ofSeconds(10), 1, true)).build();
    }

    @AfterAll
    static void disconnect() {
        direct.close();
        results.close();
        proxy.close();
    }

    @Autowired
    CountingTasks counting;

    @Test
    void resultsWrittenDuringAnOutageAreStoredWhenRedisIsBackAndOnlyThenAcknowledged() throws Exception {
        List<TaskHandle> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            tasks.add(direct.send("outage.work", List.of(1.0)));
        }
        await().atMost(WAIT).until(() -> counting.runs.size() == TASKS);

        proxy.stop();

        await().atMost(WAIT).untilAsserted(() -> assertThat(counting.returned).hasValue(TASKS));
        // Every task has run and returned. One more task now: with every slot held by a result
        // waiting for Redis it cannot start, so it waits as a prefetched, unacknowledged message.
        // The management plugin samples counts every few seconds; a sample that counts the extra
        // message was taken after all the tasks returned, and must still count theirs as unacked.
        tasks.add(direct.send("outage.work", List.of(1.0)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(management.queue(QUEUE))
                .isEqualTo(new BrokerManagement.QueueCounts(0, TASKS + 1)));
        assertThat(tasks).allSatisfy(task -> assertThat(results.get(task.id()).state()).isEqualTo(TaskState.PENDING));
        assertThat(counting.runs).as("the extra task has not started").hasSize(TASKS);

        proxy.start();

        await().atMost(WAIT).untilAsserted(() -> assertThat(tasks)
                .allSatisfy(task -> assertThat(results.get(task.id()).state()).isEqualTo(TaskState.SUCCESS)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(management.queue(QUEUE))
                .as("all acknowledged").isEqualTo(new BrokerManagement.QueueCounts(0, 0)));
        assertThat(counting.runs).as("each task ran once").hasSize(TASKS + 1)
                .allSatisfy((id, runs) -> assertThat(runs).hasValue(1));
        assertThat(tasks).allSatisfy(task -> assertThat(task.get(WAIT, Double.class)).isEqualTo(1.0));
        assertThat(management.queue(QUEUE + ".dlq").ready()).isZero();
    }

    @TestConfiguration
    static class Config {

        @Bean
        CountingTasks countingTasks() {
            return new CountingTasks();
        }
    }

    /** Counts its runs per task id. */
    static class CountingTasks {

        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final AtomicInteger returned = new AtomicInteger();

        @Task("outage.work")
        double work(double seconds, TaskContext context) throws InterruptedException {
            runs.computeIfAbsent(context.id(), id -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(Duration.ofMillis((long) (seconds * 1000)));
            returned.incrementAndGet();
            return seconds;
        }
    }
}
