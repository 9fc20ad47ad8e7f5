package dev.bullpen.worker;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * RabbitMQ's management API (port 15672 of the test broker), for what AMQP cannot tell or do: a
 * queue's unacknowledged count, and closing one client's connection from the broker's side, which
 * is what a broker restart looks like to that client. Touches only what the test names.
 */
final class BrokerManagement {

    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(5)).build();

    BrokerManagement(BullpenServices services) {
        URI amqp = services.amqpUri();
        this.base = URI.create("http://" + amqp.getHost() + ":15672/api/");
        String user = amqp.getUserInfo() == null ? "guest:guest" : amqp.getUserInfo();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
    }

    /** The queue's counts as the management plugin last sampled them (every 5 s by default). */
    QueueCounts queue(String queue) throws Exception {
        JsonNode json = get("queues/%2F/" + encode(queue));
        return new QueueCounts(json.path("messages_ready").asLong(-1), json.path("messages_unacknowledged").asLong(-1));
    }

    record QueueCounts(long ready, long unacked) {
    }

    /** The broker's names (e.g. {@code 127.0.0.1:5xxxx -> 127.0.0.1:5672}) of the connections a client named so. */
    List<String> connectionsNamed(String clientProvidedName) throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode connection : get("connections")) {
            if (clientProvidedName.equals(connection.path("user_provided_name").asString(""))) {
                names.add(connection.path("name").asString());
            }
        }
        return names;
    }

    /** Closes one connection from the broker's side (AMQP {@code connection.close}, CONNECTION_FORCED). */
    void closeConnection(String name) throws Exception {
        HttpResponse<String> response = http.send(request("connections/" + encode(name)).DELETE()
                .header("X-Reason", "closed by a Bullpen test").build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("closing " + name + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** The same, among the connections to one virtual host only (a smaller answer from a busy broker). */
    List<String> connectionsNamed(String vhost, String clientProvidedName) throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode connection : get("vhosts/" + encode(vhost) + "/connections?columns=name,user_provided_name")) {
            if (clientProvidedName.equals(connection.path("user_provided_name").asString(""))) {
                names.add(connection.path("name").asString());
            }
        }
        return names;
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(request(path).timeout(java.time.Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return CeleryJson.mapper().readTree(response.body());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", authorization);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
