package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import dev.bullpen.test.BullpenServices;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/tasks/batch}: all the tasks of a batch are on the broker when the 202 comes,
 * which lists their ids in the order sent; a batch with one bad element is refused whole, naming its index,
 * and publishes nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BatchSubmitIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");

    static final String OTHER = broker.queue("other");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> TASKS);
    }

    @BeforeAll
    static void declareQueues() throws Exception {
        broker.declare(TASKS);
        broker.declare(OTHER);
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @Test
    void queuesEveryTaskBeforeAnsweringWithTheIdsInTheOrderSent() throws Exception {
        HttpResponse<String> response = post("""
                [{"task": "demo.add", "args": [1, 1]},
                 {"task": "demo.add", "args": [2, 2], "task_id": "batch-order-2"},
                 {"task": "demo.sleep", "args": [0.5], "queue": "%s"}]""".formatted(OTHER));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = ProducerHttp.json(response);
        assertThat(body.isArray()).isTrue();
        assertThat(body.size()).isEqualTo(3);
        body.forEach(accepted -> assertThat(accepted.path("state").asString()).isEqualTo("PENDING"));
        assertThat(body.get(1).path("id").asString()).isEqualTo("batch-order-2");

        // The 202 follows every confirm: the messages are there, no waiting. The client publishes on
        // several channels, so the broker may hold them in another order than the ids answered.
        Map<String, String> bodies = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            GetResponse message = broker.take(TASKS);
            bodies.put(message.getProps().getCorrelationId(), new String(message.getBody(), StandardCharsets.UTF_8));
        }
        GetResponse third = broker.take(OTHER);
        assertThat(bodies.get(body.get(0).path("id").asString())).startsWith("[[1, 1], {}");
        assertThat(bodies.get("batch-order-2")).startsWith("[[2, 2], {}");
        assertThat(third.getProps().getCorrelationId()).isEqualTo(body.get(2).path("id").asString());
        assertThat(third.getProps().getHeaders().get("task").toString()).isEqualTo("demo.sleep");
        assertThat(third.getProps().getDeliveryMode()).isEqualTo(2);
    }

    @Test
    void aHundredTasksAllLandWithDistinctIds() throws Exception {
        String batch = IntStream.range(0, 100).mapToObj(i -> "{\"task\": \"demo.add\", \"args\": [" + i + ", 0]}")
                .collect(Collectors.joining(",", "[", "]"));
        String queue = broker.queue("hundred");
        broker.declare(queue);

        HttpResponse<String> response = post(batch.replace("\"task\"", "\"queue\": \"" + queue + "\", \"task\""));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = ProducerHttp.json(response);
        List<String> ids = new ArrayList<>();
        body.forEach(accepted -> ids.add(accepted.path("id").asString()));
        assertThat(ids).hasSize(100).doesNotHaveDuplicates();
        assertThat(broker.messageCount(queue)).isEqualTo(100);
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            queued.add(broker.take(queue).getProps().getCorrelationId());
        }
        assertThat(queued).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void oneBadElementRefusesTheBatchNamingItsIndexAndPublishesNothing() throws Exception {
        HttpResponse<String> response = post("""
                [{"task": "demo.add", "args": [1, 1]},
                 {"task": "demo.add", "args": {"x": 1}},
                 {"task": "demo.add", "args": [3, 3]}]""");

        JsonNode problem = problem(response);
        assertThat(problem.path("index").asInt()).isEqualTo(1);
        assertThat(problem.path("field").asString()).isEqualTo("args");
        assertThat(problem.path("detail").asString()).startsWith("task 1: ").contains("args");
        assertThat(broker.messageCount(TASKS)).isZero();
    }

    @Test
    void refusesWhatIsNotANonEmptyArrayOfObjectsWithinTheCap() throws Exception {
        assertThat(problem(post("{\"task\": \"demo.add\"}")).path("field").asString()).isEqualTo("body");
        assertThat(problem(post("[]")).path("detail").asString()).contains("1 to 1000 tasks, got 0");
        assertThat(problem(post("[1]")).path("index").asInt()).isZero();
        String tooMany = IntStream.range(0, 1001).mapToObj(i -> "{\"task\": \"demo.add\"}")
                .collect(Collectors.joining(",", "[", "]"));
        assertThat(problem(post(tooMany)).path("detail").asString()).contains("got 1001");
        assertThat(broker.messageCount(TASKS)).isZero();
    }

    @Test
    void refusesAnIdempotencyKey() throws Exception {
        HttpResponse<String> response = http().send(http().request("/api/tasks/batch")
                .header("Content-Type", "application/json").header("Idempotency-Key", "k-1")
                .POST(BodyPublishers.ofString("[{\"task\": \"demo.add\"}]")).build());

        assertThat(problem(response).path("field").asString()).isEqualTo("Idempotency-Key");
        assertThat(broker.messageCount(TASKS)).isZero();
    }

    private static JsonNode problem(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
        return ProducerHttp.json(response);
    }

    private HttpResponse<String> post(String json) {
        return http().send(http().request("/api/tasks/batch").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(json)).build());
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }
}
