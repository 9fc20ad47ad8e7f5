package dev.bullpen.producer;

import dev.bullpen.protocol.CeleryJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/** Real HTTP to the producer under test, with a timeout on every request so that a hang fails the test. */
final class ProducerHttp {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final URI base;

    ProducerHttp(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    HttpResponse<String> postJson(String json) {
        return post("application/json", BodyPublishers.ofString(json));
    }

    HttpResponse<String> post(String contentType, BodyPublisher body) {
        return send(request("/api/tasks").header("Content-Type", contentType).POST(body).build());
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return CLIENT.sendAsync(request(path).GET().build(), BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, BodyHandlers.ofString());
        } catch (Exception ex) {
            throw new AssertionError("HTTP " + request.method() + " " + request.uri() + " failed: " + ex, ex);
        }
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
    }

    static JsonNode json(HttpResponse<String> response) {
        return CeleryJson.mapper().readTree(response.body());
    }

    static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
