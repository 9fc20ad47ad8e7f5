package dev.bullpen.test;

import dev.bullpen.protocol.CeleryJson;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * RabbitMQ's management API (port 15672 of the test broker), for what AMQP cannot tell or do: a
 * queue's arguments and unacknowledged count, a virtual host of a test class's own, and closing one
 * client's connection from the broker's side, which is what a broker restart looks like to that
 * client. Touches only what the test names.
 */
public final class BrokerManagement {

    private final TestHttp http;

    public BrokerManagement(BullpenServices services) {
        this(services.amqpUri());
    }

    /** The management API beside the broker of this AMQP URI, as the URI's user. */
    public BrokerManagement(URI amqp) {
        String[] user = BullpenServices.userOf(amqp);
        String basic = Base64.getEncoder().encodeToString((user[0] + ":" + user[1]).getBytes(StandardCharsets.UTF_8));
        this.http = new TestHttp(URI.create("http://" + amqp.getHost() + ":15672/api/"))
                .withHeader("Authorization", "Basic " + basic);
    }

    /** The queue's counts as the management plugin last sampled them (every 5 s by default). */
    public QueueCounts queue(String queue) {
        JsonNode json = get("queues/%2F/" + encode(queue));
        return new QueueCounts(json.path("messages_ready").asLong(-1), json.path("messages_unacknowledged").asLong(-1));
    }

    /** A queue's ready and unacknowledged messages; -1 where the API did not say. */
    public record QueueCounts(long ready, long unacked) {
    }

    /** The queue as the API describes it, arguments included (AMQP cannot read them); fails unless 200. */
    public JsonNode queue(String vhost, String queue) {
        return get("queues/" + encode(vhost) + "/" + encode(queue));
    }

    /** The names of all queues on the broker, in every virtual host. */
    public List<String> queueNames() {
        List<String> names = new ArrayList<>();
        get("queues?columns=name").forEach(queue -> names.add(queue.path("name").asString()));
        return names;
    }

    /** The broker's names (e.g. {@code 127.0.0.1:5xxxx -> 127.0.0.1:5672}) of the connections a client named so. */
    public List<String> connectionsNamed(String clientProvidedName) {
        return named(get("connections"), clientProvidedName);
    }

    /** The same, among the connections to one virtual host only (a smaller answer from a busy broker). */
    public List<String> connectionsNamed(String vhost, String clientProvidedName) {
        return named(get("vhosts/" + encode(vhost) + "/connections?columns=name,user_provided_name"), clientProvidedName);
    }

    /** The names clients gave their connections to one virtual host (those that gave one). */
    public List<String> connectionNames(String vhost) {
        List<String> names = new ArrayList<>();
        for (JsonNode connection : get("vhosts/" + encode(vhost) + "/connections?columns=user_provided_name")) {
            if (connection.hasNonNull("user_provided_name")) {
                names.add(connection.path("user_provided_name").asString());
            }
        }
        return names;
    }

    private static List<String> named(JsonNode connections, String clientProvidedName) {
        List<String> names = new ArrayList<>();
        for (JsonNode connection : connections) {
            if (clientProvidedName.equals(connection.path("user_provided_name").asString(""))) {
                names.add(connection.path("name").asString());
            }
        }
        return names;
    }

    /**
     * Closes one connection from the broker's side (AMQP {@code connection.close}, CONNECTION_FORCED);
     * answers the API's status (204), failing on any other than 2xx.
     */
    public int closeConnection(String name) {
        return call(http.request("connections/" + encode(name)).header("X-Reason", "closed by a Bullpen test").DELETE(), false);
    }

    /** Creates a virtual host and gives the user all rights in it. */
    void createVhost(String vhost, String user) {
        call(http.request("vhosts/" + encode(vhost)).PUT(HttpRequest.BodyPublishers.ofString("")), false);
        call(http.request("permissions/" + encode(vhost) + "/" + encode(user)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}")), false);
    }

    /** Deletes a virtual host with all in it; one already gone is fine. */
    void deleteVhost(String vhost) {
        call(http.request("vhosts/" + encode(vhost)).DELETE(), true);
    }

    private int call(HttpRequest.Builder request, boolean goneIsFine) {
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = http.send(built);
        if (response.statusCode() >= 300 && !(goneIsFine && response.statusCode() == 404)) {
            throw new IllegalStateException(built.method() + " " + built.uri() + " answered " + response.statusCode()
                    + ": " + response.body() + " (the management API, rabbitmq_management on :15672, is needed)");
        }
        return response.statusCode();
    }

    private JsonNode get(String path) {
        HttpResponse<String> response = http.send(http.request(path).timeout(Duration.ofSeconds(10)).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return CeleryJson.mapper().readTree(response.body());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
