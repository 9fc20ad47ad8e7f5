package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.test.BullpenServices;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Every refused request answers RFC 9457 problem+json naming what is wrong, and publishes nothing:
 * after each case the default queue, declared up front, is still empty.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RequestValidationIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");

    /** A queue the bad requests name, so that a request sent despite its error would land there. */
    static final String NAMED = broker.queue("named");

    static final int MAX_PAYLOAD = 1024 * 1024;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> TASKS);
        registry.add("bullpen.producer.max-wait", () -> "1s");
    }

    @BeforeAll
    static void declareQueues() throws Exception {
        broker.declare(TASKS);
        broker.declare(NAMED);
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @AfterEach
    void nothingWasPublished() throws Exception {
        assertThat(broker.messageCount(TASKS)).as("messages on the default queue").isZero();
        assertThat(broker.messageCount(NAMED)).as("messages on the named queue").isZero();
    }

    static Stream<Arguments> badRequests() {
        String q = "\"queue\": \"" + NAMED + "\"";
        return Stream.of(
                Arguments.of("malformed JSON", "{\"task\": \"demo.add\", " + q + ",", "body"),
                Arguments.of("empty body", "", "body"),
                Arguments.of("not an object", "[\"demo.add\"]", "body"),
                Arguments.of("duplicate key", "{\"task\": \"demo.add\", \"task\": \"demo.echo\", " + q + "}", "body"),
                Arguments.of("missing task", "{\"args\": [1], " + q + "}", "task"),
                Arguments.of("null task", "{\"task\": null, " + q + "}", "task"),
                Arguments.of("number task", "{\"task\": 42, " + q + "}", "task"),
                Arguments.of("blank task", "{\"task\": \"   \", " + q + "}", "task"),
                Arguments.of("args object", "{\"task\": \"demo.add\", \"args\": {\"a\": 1}, " + q + "}", "args"),
                Arguments.of("args string", "{\"task\": \"demo.add\", \"args\": \"2,3\", " + q + "}", "args"),
                Arguments.of("args overflow", "{\"task\": \"demo.add\", \"args\": [1e400], " + q + "}", "args"),
                Arguments.of("kwargs array", "{\"task\": \"demo.add\", \"kwargs\": [1], " + q + "}", "kwargs"),
                Arguments.of("negative countdown", "{\"task\": \"demo.add\", \"countdown\": -1, " + q + "}", "countdown"),
                Arguments.of("string countdown", "{\"task\": \"demo.add\", \"countdown\": \"10\", " + q + "}", "countdown"),
                Arguments.of("countdown and eta",
                        "{\"task\": \"demo.add\", \"countdown\": 5, \"eta\": \"2030-01-01T00:00:00Z\", " + q + "}", "countdown"),
                Arguments.of("bad eta", "{\"task\": \"demo.add\", \"eta\": \"tomorrow\", " + q + "}", "eta"),
                Arguments.of("numeric eta", "{\"task\": \"demo.add\", \"eta\": 1767225600, " + q + "}", "eta"),
                Arguments.of("impossible eta", "{\"task\": \"demo.add\", \"eta\": \"2026-02-30T00:00:00Z\", " + q + "}", "eta"),
                Arguments.of("negative expires", "{\"task\": \"demo.add\", \"expires\": -5, " + q + "}", "expires"),
                Arguments.of("bad expires", "{\"task\": \"demo.add\", \"expires\": \"soon\", " + q + "}", "expires"),
                Arguments.of("boolean expires", "{\"task\": \"demo.add\", \"expires\": true, " + q + "}", "expires"),
                Arguments.of("priority 10", "{\"task\": \"demo.add\", \"priority\": 10, " + q + "}", "priority"),
                Arguments.of("priority -1", "{\"task\": \"demo.add\", \"priority\": -1, " + q + "}", "priority"),
                Arguments.of("fractional priority", "{\"task\": \"demo.add\", \"priority\": 1.5, " + q + "}", "priority"),
                Arguments.of("bad task_id", "{\"task\": \"demo.add\", \"task_id\": \"a/b\", " + q + "}", "task_id"),
                Arguments.of("reserved queue", "{\"task\": \"demo.add\", \"queue\": \"amq.direct\"}", "queue"),
                Arguments.of("blank queue", "{\"task\": \"demo.add\", \"queue\": \"\"}", "queue"),
                Arguments.of("unknown field", "{\"task\": \"demo.add\", \"kwarg\": {}, " + q + "}", "kwarg"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void refusesWithAProblemNamingTheField(String name, String body, String field) {
        HttpResponse<String> response = http().postJson(body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
        JsonNode problem = ProducerHttp.json(response);
        assertThat(problem.path("status").asInt()).isEqualTo(400);
        assertThat(problem.path("field").asString()).isEqualTo(field);
        assertThat(problem.path("detail").asString()).contains(field.equals("body") ? "request body" : field);
    }

    @Test
    void refusesABodyOverTheLimitByContentLength() {
        HttpResponse<String> response = http().postJson(oversizedTask());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(response).path("detail").asString()).contains("bullpen.producer.max-payload");
    }

    @Test
    void refusesAChunkedBodyOverTheLimit() {
        byte[] body = oversizedTask().getBytes(StandardCharsets.UTF_8);

        // An InputStream publisher has no length, so the client sends it chunked.
        HttpResponse<String> response = http().post("application/json",
                BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
    }

    @Test
    void refusesOtherMediaTypes() {
        HttpResponse<String> response = http().post("text/plain", BodyPublishers.ofString("{\"task\": \"demo.add\"}"));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        HttpResponse<String> notFound = http().get("/api/nothing-here");
        HttpResponse<String> wrongMethod = http().send(http().request("/api/tasks").DELETE().build());

        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(ProducerHttp.contentType(notFound)).startsWith("application/problem+json");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(ProducerHttp.contentType(wrongMethod)).startsWith("application/problem+json");
    }

    @Test
    void refusesABadWait() {
        for (String wait : new String[] {"-1", "soon", "NaN"}) {
            HttpResponse<String> response = http().get("/api/tasks/some-id?wait=" + wait);

            assertThat(response.statusCode()).as("wait=" + wait).isEqualTo(400);
            assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
            assertThat(ProducerHttp.json(response).path("field").asString()).isEqualTo("wait");
        }
    }

    @Test
    void cutsALongWaitToTheConfiguredMaximum() {
        long start = System.nanoTime();

        HttpResponse<String> response = http().get("/api/tasks/never-sent?wait=3600");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ProducerHttp.json(response).path("state").asString()).isEqualTo("PENDING");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), ProducerHttp.REQUEST_TIMEOUT);
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }

    /** A valid task whose body is just over the default 1 MiB limit. */
    private static String oversizedTask() {
        String filler = "x".repeat(MAX_PAYLOAD);
        return "{\"task\": \"demo.echo\", \"args\": [\"" + filler + "\"], \"queue\": \"" + NAMED + "\"}";
    }
}
