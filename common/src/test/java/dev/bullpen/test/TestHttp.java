package dev.bullpen.test;

import dev.bullpen.protocol.CeleryJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Real HTTP from a test to a server under test (a producer, a worker's Actuator, the broker's
 * management API), with a timeout on every request so that a hang fails the test rather than
 * stalling the build. The one HTTP client of the tests: one connection pool for the whole JVM.
 *
 * <pre>{@code
 * TestHttp http = new TestHttp(port);
 * JsonNode body = TestHttp.json(http.get("/api/tasks/" + id));
 * }</pre>
 */
public class TestHttp {

    /** How long any one request may take. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    // HTTP/1.1: the broker's management server drops a body sent with the client's default h2c upgrade.
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final URI base;
    private final Map<String, String> headers;

    /** A server on {@code 127.0.0.1:port}. */
    public TestHttp(int port) {
        this(URI.create("http://127.0.0.1:" + port));
    }

    /** A server at {@code base} (scheme, host and port; paths are resolved against it). */
    public TestHttp(URI base) {
        this(base, Map.of());
    }

    private TestHttp(URI base, Map<String, String> headers) {
        this.base = base;
        this.headers = headers;
    }

    /** The same server with a header on every request, e.g. {@code Authorization}. */
    public TestHttp withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new TestHttp(base, Map.copyOf(more));
    }

    public URI uri(String path) {
        return base.resolve(path);
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    /** A GET that answers empty when the server does not answer at all, e.g. while it starts. */
    public Optional<HttpResponse<String>> tryGet(String path) {
        try {
            return Optional.of(CLIENT.send(request(path).GET().build(), BodyHandlers.ofString()));
        } catch (IOException notListening) {
            return Optional.empty();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + uri(path), ex);
        }
    }

    public CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return CLIENT.sendAsync(request(path).GET().build(), BodyHandlers.ofString());
    }

    public HttpResponse<String> postJson(String path, String json) {
        return post(path, "application/json", BodyPublishers.ofString(json));
    }

    public HttpResponse<String> post(String path, String contentType, BodyPublisher body) {
        return send(request(path).header("Content-Type", contentType).POST(body).build());
    }

    public HttpResponse<String> delete(String path) {
        return send(request(path).DELETE().build());
    }

    /** Any method, with a JSON body or none. */
    public HttpResponse<String> send(String method, String path, @Nullable String json) {
        HttpRequest.Builder request = request(path)
                .method(method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return send(request.build());
    }

    /** Sends the request; a failure to get any answer fails the test, naming the request. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, BodyHandlers.ofString());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("HTTP " + request.method() + " " + request.uri() + " interrupted", ex);
        } catch (Exception ex) {
            throw new AssertionError("HTTP " + request.method() + " " + request.uri() + " failed: " + ex, ex);
        }
    }

    /**
     * A request to {@code path} (or to a whole URI given as a string) with this helper's headers and
     * the request timeout; add to it and {@link #send}.
     */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT);
        headers.forEach(builder::header);
        return builder;
    }

    public static JsonNode json(HttpResponse<String> response) {
        return CeleryJson.mapper().readTree(response.body());
    }

    public static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
