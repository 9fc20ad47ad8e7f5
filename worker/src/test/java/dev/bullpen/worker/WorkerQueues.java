package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** Starts workers of their own for tests that choose when a worker begins, and reads queues' arguments. */
final class WorkerQueues {

    private WorkerQueues() {
    }

    /** A worker (no web server) on the test services with these extra properties, e.g. its queues. */
    static ConfigurableApplicationContext startWorker(BullpenServices services, Map<String, String> properties,
            Class<?>... configuration) {
        Map<String, Object> props = new HashMap<>(services.springProperties());
        props.put("spring.main.web-application-type", "none");
        props.put("spring.jmx.enabled", "false");
        props.putAll(properties);
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        Class<?>[] sources = new Class<?>[configuration.length + 1];
        sources[0] = WorkerApplication.class;
        System.arraycopy(configuration, 0, sources, 1, configuration.length);
        return new SpringApplicationBuilder(sources).run(args);
    }

    /** The queue as the management API describes it, arguments included (AMQP cannot read them). */
    static JsonNode managementQueue(BullpenServices services, String queue) throws Exception {
        URI amqp = services.amqpUri();
        String[] user = amqp.getUserInfo() == null ? new String[] {"guest", "guest"} : amqp.getUserInfo().split(":", 2);
        String vhost = services.amqpConnectionFactory().getVirtualHost();
        URI uri = URI.create("http://" + amqp.getHost() + ":15672/api/queues/"
                + URLEncoder.encode(vhost, StandardCharsets.UTF_8) + "/" + URLEncoder.encode(queue, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((user[0] + ":" + user[1]).getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("management API " + uri).isEqualTo(200);
        return CeleryJson.mapper().readTree(response.body());
    }
}
