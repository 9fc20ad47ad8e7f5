package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.test.InProcessWorker;
import java.net.http.HttpResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code DELETE /api/tasks/{id}} through a real worker that runs one task at a time: a queued task
 * is revoked and never runs; {@code ?terminate=true} interrupts a running one; both read REVOKED.
 */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RevokeEndToEndIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("revoke-e2e");

    @RegisterExtension
    static final InProcessWorker worker = InProcessWorker.on(services).withApplicationDefaults().queues(QUEUE)
            .property("bullpen.worker.concurrency", "1").property("bullpen.worker.track-started", "true").build();

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
    void revokesAQueuedTaskAndTerminatesARunningOne() {
        String sleeper = submit("{\"task\": \"demo.sleep\", \"args\": [120]}");
        // STARTED (track-started): it holds the only slot, so the next task cannot start.
        Awaitility.await().atMost(ProducerHttp.REQUEST_TIMEOUT)
                .until(() -> "STARTED".equals(ProducerHttp.json(http().get("/api/tasks/" + sleeper)).path("state").asString()));
        String queued = submit("{\"task\": \"demo.add\", \"args\": [2, 3]}");

        HttpResponse<String> revoked = delete("/api/tasks/" + queued);
        HttpResponse<String> terminated = delete("/api/tasks/" + sleeper + "?terminate=true");

        assertThat(revoked.statusCode()).isEqualTo(202);
        assertThat(ProducerHttp.contentType(revoked)).startsWith("application/json");
        assertThat(ProducerHttp.json(revoked).path("id").asString()).isEqualTo(queued);
        assertThat(ProducerHttp.json(revoked).path("terminate").asBoolean()).isFalse();
        assertThat(revoked.headers().firstValue("Location")).hasValue("/api/tasks/" + queued);
        assertThat(terminated.statusCode()).isEqualTo(202);
        assertThat(ProducerHttp.json(terminated).path("terminate").asBoolean()).isTrue();

        // Well before the 120 s the sleeper would take: it was interrupted.
        JsonNode sleeperResult = ProducerHttp.json(http().get("/api/tasks/" + sleeper + "?wait=15"));
        assertThat(sleeperResult.path("state").asString()).isEqualTo("REVOKED");
        assertThat(sleeperResult.path("error").path("type").asString()).isEqualTo("TaskRevokedError");
        assertThat(sleeperResult.path("error").path("message").asString()).isEqualTo("terminated");
        JsonNode queuedResult = ProducerHttp.json(http().get("/api/tasks/" + queued + "?wait=15"));
        assertThat(queuedResult.path("state").asString()).isEqualTo("REVOKED");
        assertThat(queuedResult.path("error").path("message").asString()).isEqualTo("revoked");
        assertThat(queuedResult.path("result").isNull()).as("it never ran: no sum").isTrue();
    }

    @Test
    void aBadTerminateIsAProblem() {
        HttpResponse<String> response = delete("/api/tasks/some-id?terminate=maybe");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(response).path("detail").asString()).isNotBlank();
    }

    @Test
    void aTooLongIdIsAProblem() {
        HttpResponse<String> response = delete("/api/tasks/" + "x".repeat(300));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(response).path("field").asString()).isEqualTo("id");
    }

    private String submit(String json) {
        HttpResponse<String> response = http().postJson(json);
        assertThat(response.statusCode()).isEqualTo(202);
        return ProducerHttp.json(response).path("id").asString();
    }

    private HttpResponse<String> delete(String path) {
        return http().send(http().request(path).DELETE().build());
    }
}
