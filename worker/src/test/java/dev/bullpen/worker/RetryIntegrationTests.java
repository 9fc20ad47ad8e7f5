package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.protocol.TimeLimit;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
import tools.jackson.databind.JsonNode;

/**
 * Retries on the real broker and Redis: automatic ({@code retryFor}) and explicit
 * ({@code context.retry}), the RETRY state while a retry waits, the same id and headers on every
 * attempt, and after the last retry a FAILURE plus a copy in {@code <queue>.dlq} saying why.
 */
@SpringBootTest(classes = {WorkerApplication.class, RetryIntegrationTests.Config.class}, properties = "server.port=0")
class RetryIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("retries");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Map<String, GetResponse> deadLetters = new ConcurrentHashMap<>();
    static Connection amqp;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @BeforeAll
    static void connect() throws Exception {
        amqp = services.amqpConnectionFactory().newConnection("retry-tests");
    }

    @AfterAll
    static void disconnect() throws Exception {
        amqp.close();
    }

    @Autowired
    TaskClient client;

    @Autowired
    ResultBackend results;

    @Autowired
    Worker worker;

    @Test
    void retryForRetriesWithBackoffUntilTheTaskSucceeds() {
        TaskHandle handle = client.send("test.flaky", List.of(2));

        assertThat(handle.get(WAIT, Integer.class)).as("the attempt that succeeded had been retried twice").isEqualTo(2);
        TaskResult stored = results.get(handle.id());
        assertThat(stored.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(stored.meta().retries()).isEqualTo(2);
    }

    @Test
    void afterTheLastRetryTheTaskFailsAndItsMessageIsDeadLettered() {
        TaskHandle handle = client.send("test.doomed", List.of());

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.state()).isEqualTo(TaskState.FAILURE);
            assertThat(ex.remoteType()).isEqualTo("IOException");
            assertThat(ex.remoteMessage()).isEqualTo("down, attempt 2");
        });
        GetResponse dead = awaitDeadLetter(handle.id());
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertThat(headers.get(DeadLetters.REASON)).hasToString("max retries exceeded");
        assertThat(headers.get(DeadLetters.EXCEPTION)).hasToString("java.io.IOException");
        assertThat(headers.get(DeadLetters.RETRIES)).isEqualTo(2);
        assertThat(headers.get(DeadLetters.ORIGINAL_QUEUE)).hasToString(QUEUE);
        assertThat(headers.get(DeadLetters.DEAD_AT)).isNotNull();
        assertThat(headers.get("task")).hasToString("test.doomed");
        assertThat(results.get(handle.id()).meta().retries()).isEqualTo(2);
    }

    @Test
    void anExplicitRetryKeepsTheIdAndEveryHeader() throws Exception {
        String id = UUID.randomUUID().toString();
        OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plusHours(1).truncatedTo(ChronoUnit.SECONDS);
        TaskMessage message = TaskMessageBuilder.of("test.explicit", id)
                .args(args(1)).expires(expires).rootId("the-root").parentId("the-parent").group("the-group", null)
                .timeLimit(new TimeLimit(300.0, 200.0)).header("x-trace", "abc").build();
        publish(message);

        JsonNode seen = client.handle(id).get(WAIT, JsonNode.class);

        assertThat(seen.get("id").stringValue()).isEqualTo(id);
        assertThat(seen.get("retries").intValue()).isEqualTo(1);
        assertThat(seen.get("root_id").stringValue()).isEqualTo("the-root");
        assertThat(seen.get("parent_id").stringValue()).isEqualTo("the-parent");
        assertThat(seen.get("group").stringValue()).isEqualTo("the-group");
        assertThat(OffsetDateTime.parse(seen.get("expires").stringValue())).isEqualTo(expires);
        assertThat(seen.get("timelimit").toString()).isEqualTo("[300,200]");
        assertThat(seen.get("x-trace").stringValue()).isEqualTo("abc");
    }

    @Test
    void whileARetryWaitsTheTaskReadsRetryAndItNeverRunsBeforeItsEta() {
        TaskHandle handle = client.send("test.later", List.of());

        await().atMost(WAIT).untilAsserted(() -> {
            TaskResult waiting = results.get(handle.id());
            assertThat(waiting.state()).isEqualTo(TaskState.RETRY);
            assertThat(waiting.error()).get().satisfies(error -> {
                assertThat(error.type()).isEqualTo("Retry");
                assertThat(error.module()).isEqualTo("celery.exceptions");
                assertThat(error.message()).isEqualTo("Retry in 2s");
            });
            assertThat(waiting.meta().retries()).isZero();
        });
        JsonNode ran = handle.get(WAIT, JsonNode.class);

        assertThat(ran.get("retries").intValue()).isEqualTo(1);
        assertThat(ran.get("ranAt").longValue()).as("ran no earlier than its ETA")
                .isGreaterThanOrEqualTo(OffsetDateTime.parse(ran.get("eta").stringValue()).toInstant().toEpochMilli());
    }

    @Test
    void anExplicitRetryWithoutACausePastMaxRetriesIsMaxRetriesExceeded() {
        TaskHandle handle = client.send("test.forever", List.of());

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.remoteType()).isEqualTo("MaxRetriesExceededError");
            assertThat(ex.remoteMessage()).contains("test.forever").contains(handle.id());
        });
        GetResponse dead = awaitDeadLetter(handle.id());
        assertThat(dead.getProps().getHeaders().get(DeadLetters.EXCEPTION))
                .hasToString("celery.exceptions.MaxRetriesExceededError");
        assertThat(dead.getProps().getHeaders().get(DeadLetters.RETRIES)).isEqualTo(1);
    }

    @Test
    void aPlainFailureIsAFailureAndIsNotDeadLettered() throws Exception {
        TaskHandle handle = client.send("demo.fail", List.of("no retries"));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(TaskFailedException.class);
        // Acknowledged means whatever would have been dead-lettered was confirmed first.
        await().atMost(WAIT).until(() -> worker.inFlight() == 0 && messageCount(QUEUE) == 0);
        drainDeadLetters();
        assertThat(deadLetters).doesNotContainKey(handle.id());
    }

    private static GetResponse awaitDeadLetter(String id) {
        await().atMost(WAIT).until(() -> {
            drainDeadLetters();
            return deadLetters.containsKey(id);
        });
        return deadLetters.get(id);
    }

    private static void drainDeadLetters() throws Exception {
        try (Channel ch = amqp.createChannel()) {
            GetResponse got;
            while ((got = ch.basicGet(DeadLetters.queueFor(QUEUE), true)) != null) {
                deadLetters.put(Objects.toString(got.getProps().getHeaders().get("id")), got);
            }
        }
    }

    private void publish(TaskMessage message) throws Exception {
        await().atMost(WAIT).until(worker::isConsuming); // the worker has declared the queue
        TaskMessageCodec codec = new TaskMessageCodec();
        try (Channel ch = amqp.createChannel()) {
            AMQP.BasicProperties props = codec.properties(message);
            ch.basicPublish("", QUEUE, props, codec.body(message));
        }
    }

    private static tools.jackson.databind.node.ArrayNode args(Object... values) {
        return dev.bullpen.protocol.CeleryJson.mapper().valueToTree(List.of(values));
    }

    private static long messageCount(String queue) throws Exception {
        try (Channel ch = amqp.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    @TestConfiguration
    static class Config {

        @Bean
        RetryingTasks retryingTasks() {
            return new RetryingTasks();
        }
    }

    static class RetryingTasks {

        @Task(value = "test.flaky", retryFor = IOException.class, maxRetries = 5, backoff = 1, jitter = false)
        int flaky(int failures, TaskContext context) throws IOException {
            if (context.retries() < failures) {
                throw new IOException("attempt " + context.retries());
            }
            return context.retries();
        }

        @Task(value = "test.doomed", retryFor = IOException.class, maxRetries = 2, backoff = 1, jitter = false)
        int doomed(TaskContext context) throws IOException {
            throw new IOException("down, attempt " + context.retries());
        }

        @Task(value = "test.explicit", maxRetries = 2)
        Map<String, Object> explicit(int failures, TaskContext context) {
            if (context.retries() < failures) {
                throw context.retry(Duration.ZERO, new IllegalStateException("not yet"));
            }
            return new LinkedHashMap<>(context.headers());
        }

        @Task("test.later")
        Map<String, Object> later(TaskContext context) {
            if (context.retries() == 0) {
                throw context.retry(Duration.ofSeconds(2));
            }
            return Map.of("retries", context.retries(), "ranAt", System.currentTimeMillis(),
                    "eta", String.valueOf(context.eta()));
        }

        @Task(value = "test.forever", maxRetries = 1)
        Object forever(TaskContext context) {
            throw context.retry(Duration.ZERO);
        }
    }
}
