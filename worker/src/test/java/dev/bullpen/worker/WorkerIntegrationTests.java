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
import dev.bullpen.client.TaskOptions;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TestHttp;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The runnable worker against the real broker and Redis: publish, run, store, ack. */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("tasks");
    static final Duration WAIT = Duration.ofSeconds(20);

    static Connection amqp;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @BeforeAll
    static void connect() throws Exception {
        amqp = services.amqpConnectionFactory().newConnection("worker-tests");
    }

    @AfterAll
    static void disconnect() throws Exception {
        amqp.close();
    }

    @Autowired
    TaskClient client;

    @Autowired
    dev.bullpen.worker.internal.Worker worker;

    @LocalServerPort
    int port;

    @Test
    void actuatorHealthIsUpWhileConsuming() throws Exception {
        TestHttp http = new TestHttp(port);

        await().atMost(WAIT).untilAsserted(() -> {
            var response = http.get("/actuator/health");
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode health = CeleryJson.mapper().readTree(response.body());
            assertThat(health.get("status").stringValue()).isEqualTo("UP");
        });
    }

    @Test
    void addsTwoNumbersAndStoresTheResultInCeleryFormat() {
        TaskHandle handle = client.send("demo.add", List.of(2, 3));

        assertThat(handle.get(WAIT, Integer.class)).isEqualTo(5);
        String stored = redisValue(services.redisPrefix() + "celery-task-meta-" + handle.id());
        JsonNode meta = CeleryJson.mapper().readTree(stored);
        assertThat(meta.get("status").stringValue()).isEqualTo("SUCCESS");
        assertThat(meta.get("result").intValue()).isEqualTo(5);
        assertThat(meta.get("task_id").stringValue()).isEqualTo(handle.id());
        assertThat(meta.get("name").stringValue()).isEqualTo("demo.add");
        assertThat(meta.get("queue").stringValue()).isEqualTo(QUEUE);
        assertThat(meta.get("traceback").isNull()).isTrue();
        assertThat(meta.get("children").isArray()).isTrue();
        assertThat(meta.get("date_done").stringValue()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?");
        assertThat(stored).startsWith("{\"status\": \"SUCCESS\", \"result\": 5, \"traceback\": null, \"children\": [], ");
    }

    @Test
    void bindsKeywordArgumentsByParameterName() {
        TaskHandle handle = client.send("demo.add", List.of(), Map.of("y", 40, "x", 2), TaskOptions.defaults());

        assertThat(handle.get(WAIT, Integer.class)).isEqualTo(42);
    }

    @Test
    void collectsArgsAndKwargsLikePython() {
        TaskHandle handle = client.send("demo.echo", List.of(1, "a"), Map.of("k", true), TaskOptions.defaults());

        assertThat(handle.get(WAIT).toString()).isIn(
                "{\"args\":[1,\"a\"],\"kwargs\":{\"k\":true}}", "{\"kwargs\":{\"k\":true},\"args\":[1,\"a\"]}");
    }

    @Test
    void aThrowingTaskIsAFailureWithRemoteTypeMessageAndTraceback() {
        TaskHandle handle = client.send("demo.fail", List.of("boom"));

        assertThatThrownBy(() -> handle.get(WAIT))
                .isInstanceOfSatisfying(TaskFailedException.class, ex -> {
                    assertThat(ex.remoteType()).isEqualTo("IllegalStateException");
                    assertThat(ex.remoteMessage()).isEqualTo("boom");
                    assertThat(ex.error().module()).isEqualTo("java.lang");
                    assertThat(ex.remoteTraceback()).contains("java.lang.IllegalStateException: boom", "DemoTasks.fail");
                });
    }

    @Test
    void argumentsThatDoNotFitTheSignatureAreATypeError() {
        TaskHandle tooMany = client.send("demo.add", List.of(1, 2, 3));
        TaskHandle unknownKwarg = client.send("demo.add", List.of(1, 2), Map.of("z", 1), TaskOptions.defaults());
        TaskHandle notANumber = client.send("demo.add", List.of("x", 2));

        assertThatThrownBy(() -> tooMany.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex ->
                assertThat(ex.remoteType() + ": " + ex.remoteMessage())
                        .isEqualTo("TypeError: demo.add() takes 2 positional arguments but 3 were given"));
        assertThatThrownBy(() -> unknownKwarg.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex ->
                assertThat(ex.remoteMessage()).isEqualTo("demo.add() got an unexpected keyword argument 'z'"));
        assertThatThrownBy(() -> notANumber.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex ->
                assertThat(ex.remoteMessage()).startsWith("demo.add() argument 'x': cannot convert \"x\" to long"));
    }

    @Test
    void anUnknownTaskIsNotRegisteredAndTheWorkerKeepsGoing() throws Exception {
        TaskHandle unknown = client.send("demo.nope", List.of());

        assertThatThrownBy(() -> unknown.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.remoteType()).isEqualTo("NotRegistered");
            assertThat(ex.error().module()).isEqualTo("celery.exceptions");
            assertThat(ex.remoteMessage()).isEqualTo("demo.nope");
        });
        assertThat(client.send("demo.add", List.of(1, 1)).get(WAIT, Integer.class)).isEqualTo(2);
        await().atMost(WAIT).until(() -> messageCount(QUEUE) == 0);
    }

    @Test
    void malformedMessagesGoToTheDeadLetterQueueWithTheReason() throws Exception {
        await().atMost(WAIT).until(worker::isConsuming); // the worker has declared the queue and its DLQ
        String dlq = DeadLetters.queueFor(QUEUE);
        AMQP.BasicProperties taskHeaderButNotJson = new AMQP.BasicProperties.Builder()
                .contentType("application/json").headers(Map.of("task", "demo.add", "id", "bad-json-1")).build();
        AMQP.BasicProperties notProtocolV2 = new AMQP.BasicProperties.Builder().contentType("application/json").build();
        AMQP.BasicProperties wrongShape = new AMQP.BasicProperties.Builder()
                .contentType("application/json").headers(Map.of("task", "demo.add", "id", "bad-shape-1")).build();
        try (Channel ch = amqp.createChannel()) {
            ch.basicPublish("", QUEUE, taskHeaderButNotJson, "not json".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("", QUEUE, notProtocolV2, "[[1, 2], {}, {}]".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("", QUEUE, wrongShape, "{\"args\": [1, 2]}".getBytes(StandardCharsets.UTF_8));
        }

        await().atMost(WAIT).until(() -> messageCount(dlq) == 3);
        try (Channel ch = amqp.createChannel()) {
            List<String> reasons = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                GetResponse dead = ch.basicGet(dlq, true);
                assertThat(dead.getProps().getHeaders().get(DeadLetters.ORIGINAL_QUEUE).toString()).isEqualTo(QUEUE);
                reasons.add(dead.getProps().getHeaders().get(DeadLetters.REASON).toString());
            }
            assertThat(reasons).anySatisfy(r -> assertThat(r).startsWith("body is not JSON"))
                    .anySatisfy(r -> assertThat(r).contains("no 'task' header"))
                    .anySatisfy(r -> assertThat(r).startsWith("body must be [args, kwargs, embed]"));
        }
        assertThat(messageCount(QUEUE)).isZero();
        assertThat(client.send("demo.add", List.of(2, 2)).get(WAIT, Integer.class)).isEqualTo(4);
    }

    private static String redisValue(String key) {
        try (var redis = services.redisConnectionFactory().getConnection()) {
            byte[] value = redis.stringCommands().get(key.getBytes(StandardCharsets.UTF_8));
            assertThat(value).as("Redis key %s", key).isNotNull();
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    private static long messageCount(String queue) throws Exception {
        try (Channel ch = amqp.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }
}
