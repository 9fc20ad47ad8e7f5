package dev.bullpen.producer;

import dev.bullpen.test.TestHttp;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;

/** Real HTTP to the producer under test: {@link TestHttp} with the task submission path at hand. */
final class ProducerHttp extends TestHttp {

    ProducerHttp(int port) {
        super(port);
    }

    /** POST /api/tasks with a JSON body. */
    HttpResponse<String> postJson(String json) {
        return postJson("/api/tasks", json);
    }

    /** POST /api/tasks with any body. */
    HttpResponse<String> post(String contentType, BodyPublisher body) {
        return post("/api/tasks", contentType, body);
    }
}
