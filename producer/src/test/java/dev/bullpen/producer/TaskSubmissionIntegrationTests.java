package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.rabbitmq.client.GetResponse;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A submission over HTTP lands on the real broker as a Celery protocol v2 message, and the 202
 * comes only once it is there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TaskSubmissionIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> TASKS);
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @Test
    void sendsACeleryProtocolV2MessageAndAnswersAccepted() throws Exception {
        HttpResponse<String> response = http().postJson("""
                {"task": "demo.add", "args": [2, 3], "kwargs": {"scale": 1.0}}""");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = ProducerHttp.json(response);
        String id = body.path("id").asString();
        assertThat(body.path("state").asString()).isEqualTo("PENDING");
        assertThat(response.headers().firstValue("Location")).hasValue("/api/tasks/" + id);

        // The 202 follows the broker's confirm, so the message is already there: no waiting.
        GetResponse message = take(TASKS);
        var props = message.getProps();
        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getContentEncoding()).isEqualTo("utf-8");
        assertThat(props.getDeliveryMode()).isEqualTo(2);
        assertThat(props.getPriority()).isZero();
        assertThat(props.getCorrelationId()).isEqualTo(id);

        Map<String, Object> headers = plain(props.getHeaders());
        assertThat(headers).containsEntry("lang", "py")
                .containsEntry("task", "demo.add")
                .containsEntry("id", id)
                .containsEntry("root_id", id)
                .containsEntry("parent_id", null)
                .containsEntry("group", null)
                .containsEntry("retries", 0)
                .containsEntry("eta", null)
                .containsEntry("expires", null)
                .containsEntry("timelimit", Arrays.asList(null, null))
                .containsEntry("argsrepr", "(2, 3)")
                .containsEntry("kwargsrepr", "{'scale': 1.0}");
        assertThat((String) headers.get("origin")).startsWith("gen");

        assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo(
                "[[2, 3], {\"scale\": 1.0}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]");
    }

    @Test
    void turnsCountdownExpiresAndPriorityIntoHeadersAndProperties() throws Exception {
        String queue = broker.queue("options");
        Instant before = Instant.now();

        HttpResponse<String> response = http().postJson("""
                {"task": "demo.sleep", "args": [1], "queue": "%s", "countdown": 30, "expires": 60, "priority": 7,
                 "task_id": "order-42", "time_limit": 20, "soft_time_limit": 10}""".formatted(queue));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("Location")).hasValue("/api/tasks/order-42");
        assertThat(ProducerHttp.json(response).path("id").asString()).isEqualTo("order-42");

        GetResponse message = take(queue);
        assertThat(message.getProps().getPriority()).isEqualTo(7);
        assertThat(message.getProps().getCorrelationId()).isEqualTo("order-42");
        Map<String, Object> headers = plain(message.getProps().getHeaders());
        assertThat(headers).containsEntry("id", "order-42").containsEntry("task", "demo.sleep")
                .containsEntry("timelimit", List.of(20, 10));
        assertThat(instant(headers.get("eta"))).isCloseTo(before.plusSeconds(30), within(Duration.ofSeconds(5)));
        assertThat(instant(headers.get("expires"))).isCloseTo(before.plusSeconds(60), within(Duration.ofSeconds(5)));
        assertThat((String) headers.get("eta")).endsWith("+00:00");
    }

    @Test
    void takesEtaAndExpiresAsDates() throws Exception {
        String queue = broker.queue("dates");

        HttpResponse<String> response = http().postJson("""
                {"task": "demo.echo", "queue": "%s", "eta": "2030-01-01T00:00:00Z",
                 "expires": "2030-01-02T02:00:00+02:00", "ignore_result": true}""".formatted(queue));

        assertThat(response.statusCode()).isEqualTo(202);
        Map<String, Object> headers = plain(take(queue).getProps().getHeaders());
        assertThat(headers).containsEntry("eta", "2030-01-01T00:00:00+00:00")
                .containsEntry("expires", "2030-01-02T00:00:00+00:00")
                .containsEntry("ignore_result", true);
    }

    @Test
    void keepsArgumentsExactlyAsWritten() throws Exception {
        String queue = broker.queue("exact");

        HttpResponse<String> response = http().postJson("""
                {"task": "demo.echo", "queue": "%s", "args": [123456789012345678901234567890, 0.1, "é", null, {"a": [true]}]}"""
                .formatted(queue));

        assertThat(response.statusCode()).isEqualTo(202);
        byte[] body = take(queue).getBody();
        assertThat(new String(body, StandardCharsets.US_ASCII)).startsWith("[[123456789012345678901234567890, 0.1, ");
        assertThat(CeleryJson.mapper().readTree(body).get(0)).isEqualTo(CeleryJson.mapper().readTree(
                "[123456789012345678901234567890, 0.1, \"\u00e9\", null, {\"a\": [true]}]"));
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }

    private static GetResponse take(String queue) throws Exception {
        return broker.take(queue);
    }

    private static Instant instant(Object header) {
        return OffsetDateTime.parse((String) header).toInstant();
    }

    /** AMQP strings arrive as LongString; compare them as Java strings. */
    private static Map<String, Object> plain(Map<String, Object> headers) {
        Map<String, Object> out = new LinkedHashMap<>();
        headers.forEach((key, value) -> out.put(key, plainValue(value)));
        return out;
    }

    private static Object plainValue(Object value) {
        if (value instanceof List<?> list) {
            return Arrays.asList(list.stream().map(TaskSubmissionIntegrationTests::plainValue).toArray());
        }
        return value instanceof com.rabbitmq.client.LongString s ? s.toString() : value;
    }
}
