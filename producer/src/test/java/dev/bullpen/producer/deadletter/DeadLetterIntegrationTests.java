package dev.bullpen.producer.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.producer.ProducerApplication;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TestHttp;
import dev.bullpen.worker.Task;
import dev.bullpen.worker.TaskContext;
import dev.bullpen.worker.test.InProcessWorker;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Retries and dead letters seen over HTTP, with a real worker: RETRY and the retries count while a
 * retry waits, dead letters listed without being lost, and a dead letter replayed to SUCCESS.
 */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeadLetterIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("dead-letters");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final AtomicBoolean broken = new AtomicBoolean(true);

    @RegisterExtension
    static final InProcessWorker worker = InProcessWorker.on(services).withApplicationDefaults().queues(QUEUE)
            .with(FlakyTasks.class).build();

    static Connection amqp;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @BeforeAll
    static void connect() throws Exception {
        amqp = services.amqpConnectionFactory().newConnection("dead-letter-tests");
    }

    @AfterAll
    static void disconnect() throws Exception {
        if (amqp != null) {
            amqp.close();
        }
    }

    @LocalServerPort
    int port;

    TestHttp http() {
        return new TestHttp(port);
    }

    @Test
    void whileARetryWaitsTheTaskReadsRetryWithItsRetriesThenSucceeds() throws Exception {
        String id = submit("{\"task\": \"test.flaky\", \"args\": [2]}");

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode waiting = json(get("/api/tasks/" + id));
            assertThat(waiting.get("state").stringValue()).isEqualTo("RETRY");
            assertThat(waiting.get("error").get("type").stringValue()).isEqualTo("IOException");
            assertThat(waiting.get("error").get("message").stringValue()).startsWith("attempt ");
            assertThat(waiting.get("error").get("traceback").stringValue()).contains("java.io.IOException");
            assertThat(waiting.get("retries").intValue()).isBetween(0, 1);
        });
        JsonNode done = json(get("/api/tasks/" + id + "?wait=30"));

        assertThat(done.get("state").stringValue()).isEqualTo("SUCCESS");
        assertThat(done.get("result").intValue()).isEqualTo(2);
        assertThat(done.get("retries").intValue()).isEqualTo(2);
    }

    @Test
    void aDeadLetterIsListedWithoutBeingLostAndReplaysToSuccess() throws Exception {
        broken.set(true);
        String id = submit("{\"task\": \"test.fragile\", \"args\": [\"hello\"]}");
        JsonNode failed = json(get("/api/tasks/" + id + "?wait=30"));
        assertThat(failed.get("state").stringValue()).isEqualTo("FAILURE");

        JsonNode listed = awaitListed(id);
        assertThat(listed.get("task").stringValue()).isEqualTo("test.fragile");
        assertThat(listed.get("reason").stringValue()).isEqualTo("max retries exceeded");
        assertThat(listed.get("exception").stringValue()).isEqualTo("java.io.IOException");
        assertThat(listed.get("retries").intValue()).isZero();
        assertThat(listed.get("original_queue").stringValue()).isEqualTo(QUEUE);
        assertThat(listed.get("dead_at").stringValue()).isNotBlank();
        // Listing takes nothing away: the message is still on the dead-letter queue.
        long before = messageCount(QUEUE + ".dlq");
        assertThat(ids(json(get("/api/dead-letters?queue=" + QUEUE)))).contains(id);
        assertThat(messageCount(QUEUE + ".dlq")).isEqualTo(before).isPositive();

        broken.set(false);
        HttpResponse<String> replayed = post("/api/dead-letters/" + id + "/replay?queue=" + QUEUE);

        assertThat(replayed.statusCode()).isEqualTo(202);
        assertThat(json(replayed).get("id").stringValue()).isEqualTo(id);
        assertThat(json(replayed).get("queue").stringValue()).isEqualTo(QUEUE);
        assertThat(replayed.headers().firstValue("Location")).hasValue("/api/tasks/" + id);
        JsonNode done = json(get("/api/tasks/" + id + "?wait=30"));
        assertThat(done.get("state").stringValue()).isEqualTo("SUCCESS");
        assertThat(done.get("result").stringValue()).isEqualTo("HELLO");
        assertThat(done.get("retries").intValue()).as("a replay is a fresh run").isZero();
        assertThat(ids(json(get("/api/dead-letters?queue=" + QUEUE)))).doesNotContain(id);
    }

    @Test
    void theListIsOldestFirstAndHonoursTheLimit() throws Exception {
        broken.set(true);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = submit("{\"task\": \"test.fragile\", \"args\": [\"n" + i + "\"]}");
            awaitListed(id); // one at a time, so their order on the dead-letter queue is known
            sent.add(id);
        }

        List<String> all = ids(json(get("/api/dead-letters?queue=" + QUEUE)));
        List<String> firstTwo = ids(json(get("/api/dead-letters?queue=" + QUEUE + "&limit=2")));

        assertThat(all).containsSubsequence(sent);
        assertThat(firstTwo).hasSize(2).isEqualTo(all.subList(0, 2));
        assertThat(ids(json(get("/api/dead-letters?queue=" + QUEUE)))).as("still all there").isEqualTo(all);
    }

    @Test
    void replayingAnUnknownIdIsANotFoundProblem() throws Exception {
        HttpResponse<String> response = post("/api/dead-letters/no-such-id/replay?queue=" + QUEUE);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).get("detail").stringValue()).contains("no-such-id").contains(QUEUE + ".dlq");
    }

    @Test
    void aQueueWithoutDeadLettersListsEmptyAndABadLimitIsABadRequest() throws Exception {
        HttpResponse<String> empty = get("/api/dead-letters?queue=" + services.queue("never-used"));
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(json(empty).isArray()).isTrue();
        assertThat(json(empty)).isEmpty();

        HttpResponse<String> bad = get("/api/dead-letters?queue=" + QUEUE + "&limit=0");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void theDeadLetterEndpointsAreDocumented() throws Exception {
        JsonNode docs = json(get("/v3/api-docs"));

        JsonNode paths = docs.path("paths");
        assertThat(paths.path("/api/dead-letters").path("get").path("parameters").toString())
                .contains("queue").contains("limit");
        assertThat(paths.path("/api/dead-letters/{id}/replay").path("post").path("responses").propertyNames())
                .contains("202", "404", "503");
        assertThat(docs.path("components").path("schemas").path("DeadLetter").path("properties").propertyNames())
                .contains("id", "task", "reason", "exception", "retries", "dead_at", "original_queue");
    }

    private JsonNode awaitListed(String id) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).untilAsserted(() -> {
            for (JsonNode letter : json(get("/api/dead-letters?queue=" + QUEUE))) {
                if (id.equals(letter.get("id").stringValue())) {
                    found[0] = letter;
                }
            }
            assertThat(found[0]).as("dead letter " + id).isNotNull();
        });
        return found[0];
    }

    private static List<String> ids(JsonNode letters) {
        List<String> ids = new ArrayList<>();
        letters.forEach(letter -> ids.add(letter.get("id").stringValue()));
        return ids;
    }

    private String submit(String body) throws Exception {
        HttpResponse<String> response = http().send(request("/api/tasks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(response.statusCode()).isEqualTo(202);
        return json(response).get("id").stringValue();
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http().send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http().send(request(path).GET().build());
    }

    private HttpRequest.Builder request(String path) {
        return http().request(path).timeout(Duration.ofSeconds(40)); // longer than the ?wait=30 of a read
    }

    private static JsonNode json(HttpResponse<String> response) {
        return CeleryJson.mapper().readTree(response.body());
    }

    private static long messageCount(String queue) throws Exception {
        try (Channel ch = amqp.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Registered in the worker's context only: not a component, so the producer never picks it up. */
    static class FlakyTasks {

        @Task(value = "test.flaky", retryFor = IOException.class, maxRetries = 5, backoff = 2, jitter = false)
        int flaky(int failures, TaskContext context) throws IOException {
            if (context.retries() < failures) {
                throw new IOException("attempt " + context.retries());
            }
            return context.retries();
        }

        @Task(value = "test.fragile", retryFor = IOException.class, maxRetries = 0)
        String fragile(String text) throws IOException {
            if (broken.get()) {
                throw new IOException("the service is down");
            }
            return text.toUpperCase();
        }
    }
}
