package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.test.BullpenServices;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The OpenAPI document, Swagger UI and health, as an operator or client author finds them. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceEndpointsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> broker.queue("tasks"));
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @Test
    void documentsTheApi() {
        HttpResponse<String> response = http().get("/v3/api-docs");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode docs = ProducerHttp.json(response);
        assertThat(docs.path("paths").has("/api/tasks")).isTrue();
        assertThat(docs.path("paths").has("/api/tasks/{id}")).isTrue();
        JsonNode get = docs.path("paths").path("/api/tasks/{id}").path("get");
        assertThat(get.path("description").asString()).contains("PENDING");
        assertThat(get.path("parameters").toString()).contains("wait");
        JsonNode post = docs.path("paths").path("/api/tasks").path("post");
        assertThat(post.path("responses").propertyNames()).contains("202", "400", "413", "503");
        JsonNode delete = docs.path("paths").path("/api/tasks/{id}").path("delete");
        assertThat(delete.path("responses").propertyNames()).contains("202", "400", "503");
        assertThat(delete.path("parameters").toString()).contains("terminate");
        JsonNode schemas = docs.path("components").path("schemas");
        assertThat(schemas.path("RevokeAccepted").path("properties").propertyNames()).contains("id", "terminate");
        assertThat(schemas.path("SubmitTaskRequest").path("properties").propertyNames())
                .contains("task", "args", "kwargs", "queue", "countdown", "eta", "expires", "priority", "task_id");
        assertThat(schemas.path("SubmitTaskRequest").path("required").toString()).contains("task");
        assertThat(schemas.path("TaskStatus").path("properties").propertyNames())
                .contains("id", "state", "result", "error", "date_done", "name", "args", "kwargs", "worker", "retries", "queue");
        assertThat(schemas.path("TaskStatus").path("description").asString()).contains("PENDING");
    }

    @Test
    void servesSwaggerUi() {
        HttpResponse<String> redirect = http().get("/swagger-ui.html");
        String location = redirect.headers().firstValue("Location").orElse("/swagger-ui.html");

        HttpResponse<String> page = http().get(java.net.URI.create(location).getPath());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).containsIgnoringCase("swagger");
    }

    @Test
    void reportsHealthUp() {
        HttpResponse<String> response = http().get("/actuator/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ProducerHttp.json(response).path("status").asString()).isEqualTo("UP");
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }
}
