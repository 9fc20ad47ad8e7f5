package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.PrivateRedisServer;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A result Redis refuses (over its {@code proto-max-bulk-len}) used to be retried for a minute, each
 * try dropping the connection that every other task's result was written on (some ten reconnects a
 * second, a {@code demo.add} taking 34 s), then rerun from the broker, forever. Against a Redis of
 * this class's own, whose limit the test lowers while the worker runs: a result over
 * {@code bullpen.result.max-bytes} is a FAILURE {@code ResultTooLarge}; one Redis refuses ends as a
 * FAILURE {@code ResultStoreError} and a dead letter, run once; tasks beside it are not held up.
 */
@SpringBootTest(classes = {WorkerApplication.class, ResultStoreLimitsIntegrationTests.Config.class},
        properties = "server.port=0")
class ResultStoreLimitsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("limits");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final PrivateRedisServer redis = start();
    static final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    static PrivateRedisServer start() {
        try {
            return PrivateRedisServer.start();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        redis.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.name", () -> services.workerName("limits"));
        registry.add("bullpen.result.max-bytes", () -> "4MB");
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Autowired
    TaskClient client;

    @Test
    void aResultOverTheLimitIsAFailureResultTooLargeAndNotRetried() throws Exception {
        TaskHandle handle = client.send("limits.big", List.of("too-large", 5 * 1024 * 1024));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.remoteType()).isEqualTo("ResultTooLarge");
            assertThat(ex.remoteMessage()).matches("the result of task .* is \\d+ bytes, over the 4194304 bytes "
                    + "a result may take \\(bullpen.result.max-bytes\\)");
        });
        assertThat(runs.get("too-large")).hasValue(1);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aResultRedisRefusesIsAFailureAndADeadLetterRunOnceAndItsNeighboursAreNotHeldUp() throws Exception {
        redis.configSet("proto-max-bulk-len", "1mb"); // as an operator might, while the worker runs
        try {
            List<TaskHandle> neighbours = new ArrayList<>();
            TaskHandle refused = client.send("limits.big", List.of("refused", 2 * 1024 * 1024));
            for (int i = 0; i < 200; i++) {
                neighbours.add(client.send("demo.add", List.of(i, 1)));
            }

            long started = System.nanoTime();
            for (int i = 0; i < neighbours.size(); i++) {
                assertThat(neighbours.get(i).get(WAIT, Integer.class)).isEqualTo(i + 1);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("200 neighbours' results")
                    .isLessThan(Duration.ofSeconds(15));
            assertThatThrownBy(() -> refused.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
                assertThat(ex.remoteType()).isEqualTo("ResultStoreError");
                assertThat(ex.remoteMessage()).contains("Redis refused the result of task " + refused.id(), "bulk");
            });
            GetResponse dead = await().atMost(WAIT).until(() -> deadLetters().stream().findFirst().orElse(null), r -> r != null);
            assertThat(dead.getProps().getHeaders().get(DeadLetters.REASON).toString())
                    .startsWith("the result store refused the result: Redis refused the result of task " + refused.id());
            assertThat(runs.get("refused")).as("ran once, not again and again").hasValue(1);
        } finally {
            redis.configSet("proto-max-bulk-len", "512mb");
        }
    }

    /** What is in the queue's dead-letter queue now, taken off it. */
    private static List<GetResponse> deadLetters() throws Exception {
        List<GetResponse> out = new ArrayList<>();
        try (Connection c = services.amqpConnectionFactory().newConnection("limits-test"); Channel ch = c.createChannel()) {
            ch.queueDeclare(DeadLetters.queueFor(QUEUE), true, false, false, null);
            for (GetResponse r; (r = ch.basicGet(DeadLetters.queueFor(QUEUE), true)) != null; ) {
                out.add(r);
            }
        }
        return out;
    }

    @TestConfiguration
    static class Config {

        @Bean
        LimitTasks limitTasks() {
            return new LimitTasks();
        }
    }

    static class LimitTasks {

        /** A string of {@code size} characters, counting its runs under {@code name}. */
        @Task("limits.big")
        String big(String name, int size) {
            runs.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            return "x".repeat(size);
        }
    }
}
