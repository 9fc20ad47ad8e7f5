package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.test.TestHttp;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;

/** Real HTTP to the producer under test: {@link TestHttp} with the task submission path at hand. */
final class ProducerHttp extends TestHttp {

    ProducerHttp(int port) {
        super(port);
    }

    /** POST /api/tasks with a JSON body. */
    HttpResponse<String> postJson(String json) {
        return postJson("/api/tasks", json);
    }

    /** The problem+json body of a response that must have {@code status}. */
    static JsonNode problem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(contentType(response)).startsWith("application/problem+json");
        return json(response);
    }

    /** POST /api/tasks with any body. */
    HttpResponse<String> post(String contentType, BodyPublisher body) {
        return post("/api/tasks", contentType, body);
    }
}
