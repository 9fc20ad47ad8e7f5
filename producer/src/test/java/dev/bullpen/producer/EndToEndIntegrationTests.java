package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.test.InProcessWorker;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The whole path: HTTP submit to the producer, a real worker runs the task, HTTP reads the result. */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EndToEndIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("e2e");

    @RegisterExtension
    static final InProcessWorker worker = InProcessWorker.on(services).withApplicationDefaults().queues(QUEUE).build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @LocalServerPort
    int port;

    ProducerHttp http() {
        return new ProducerHttp(port);
    }

    @Test
    void submitsOverHttpAndReadsTheResultOverHttp() throws Exception {
        HttpResponse<String> submitted = post("{\"task\": \"demo.add\", \"args\": [2, 3]}");
        assertThat(submitted.statusCode()).isEqualTo(202);
        String id = json(submitted.body()).get("id").stringValue();
        assertThat(submitted.headers().firstValue("Location")).hasValue("/api/tasks/" + id);

        JsonNode result = json(get("/api/tasks/" + id + "?wait=20").body());

        assertThat(result.get("state").stringValue()).isEqualTo("SUCCESS");
        assertThat(result.get("result").intValue()).isEqualTo(5);
        assertThat(result.get("error").isNull()).isTrue();
        assertThat(result.get("date_done").isNull()).isFalse();
    }

    @Autowired
    ClientProperties client;

    @Test
    void theProducerDoesNotExpectTheResultsOfWhatItSubmitsYetAWaitGetsThem() {
        // Its HTTP callers poll or wait through GET /api/tasks/{id}?wait=, which reads once: the waits
        // in the tests of this class go through that path.
        assertThat(client.expectResults()).isFalse();
    }

    @Test
    void aFailingTaskReadsAsFailureWithTheRemoteError() throws Exception {
        String id = json(post("{\"task\": \"demo.fail\", \"args\": [\"boom\"]}").body()).get("id").stringValue();

        JsonNode result = json(get("/api/tasks/" + id + "?wait=20").body());

        assertThat(result.get("state").stringValue()).isEqualTo("FAILURE");
        assertThat(result.get("error").get("type").stringValue()).isEqualTo("IllegalStateException");
        assertThat(result.get("error").get("message").stringValue()).isEqualTo("boom");
        assertThat(result.get("error").get("traceback").stringValue()).contains("IllegalStateException: boom");
    }

    @Test
    void anUnknownTaskReadsAsNotRegistered() throws Exception {
        String id = json(post("{\"task\": \"demo.nope\"}").body()).get("id").stringValue();

        JsonNode result = json(get("/api/tasks/" + id + "?wait=20").body());

        assertThat(result.get("state").stringValue()).isEqualTo("FAILURE");
        assertThat(result.get("error").get("type").stringValue()).isEqualTo("NotRegistered");
    }

    @Test
    void kwargsAndEchoRoundTripThroughHttp() throws Exception {
        String id = json(post("{\"task\": \"demo.echo\", \"args\": [1, \"two\"], \"kwargs\": {\"three\": [3]}}").body())
                .get("id").stringValue();

        JsonNode result = json(get("/api/tasks/" + id + "?wait=20").body()).get("result");

        assertThat(result.get("args").toString()).isEqualTo("[1,\"two\"]");
        assertThat(result.get("kwargs").toString()).isEqualTo("{\"three\":[3]}");
    }

    private HttpResponse<String> post(String body) {
        return http().postJson("/api/tasks", body);
    }

    private HttpResponse<String> get(String path) {
        return http().get(path);
    }

    private static JsonNode json(String body) {
        return CeleryJson.mapper().readTree(body);
    }
}
