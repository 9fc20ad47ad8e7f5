package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BrokerManagement;
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

/**
 * {@code POST /api/tasks} with {@code bullpen.routes} and {@code bullpen.queues}: the request's
 * queue wins, then the route, then the default queue; a routed priority queue is declared with
 * {@code x-max-priority} and the task carries its priority; a queue declared otherwise is a 500
 * problem naming the mismatch.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RoutingIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String DEFAULT = broker.queue("default");
    static final String IMAGES = broker.queue("images");
    static final String CHOSEN = broker.queue("chosen");
    static final String REPORTS = broker.queue("reports");
    static final String PLAIN = broker.queue("plain");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> DEFAULT);
        registry.add("bullpen.routes[images.*]", () -> IMAGES);
        registry.add("bullpen.routes[reports.urgent]", () -> REPORTS);
        registry.add("bullpen.queues[" + REPORTS + "].max-priority", () -> "9");
        registry.add("bullpen.queues[" + PLAIN + "].max-priority", () -> "9");
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @Test
    void theRequestsQueueWinsThenTheRouteThenTheDefaultQueue() throws Exception {
        assertThat(post("""
                {"task": "images.thumbnail", "args": ["a.png"]}""").statusCode()).isEqualTo(202);
        assertThat(post("""
                {"task": "images.thumbnail", "args": ["b.png"], "queue": "%s"}""".formatted(CHOSEN)).statusCode())
                .isEqualTo(202);
        assertThat(post("""
                {"task": "demo.add", "args": [1, 2]}""").statusCode()).isEqualTo(202);

        // Each 202 follows the broker's confirm, so the messages are there already.
        assertThat(argsOf(broker.take(IMAGES))).isEqualTo("[\"a.png\"]");
        assertThat(argsOf(broker.take(CHOSEN))).isEqualTo("[\"b.png\"]");
        assertThat(argsOf(broker.take(DEFAULT))).isEqualTo("[1,2]");
        assertThat(broker.messageCount(IMAGES)).isZero();
    }

    @Test
    void aRoutedPriorityQueueIsDeclaredWithMaxPriorityAndTheTaskCarriesItsPriority() throws Exception {
        assertThat(post("""
                {"task": "reports.urgent", "args": [], "priority": 7}""").statusCode()).isEqualTo(202);

        GetResponse message = broker.take(REPORTS);
        assertThat(message.getProps().getPriority()).isEqualTo(7);
        assertThat(managementQueue(REPORTS).path("arguments").path("x-max-priority").asInt()).isEqualTo(9);
    }

    @Test
    void aQueueDeclaredWithOtherArgumentsIsAProblemNamingTheMismatch() throws Exception {
        broker.declare(PLAIN); // as Celery declares its default queue: no arguments

        HttpResponse<String> response = post("""
                {"task": "demo.add", "args": [1, 2], "queue": "%s"}""".formatted(PLAIN));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
        JsonNode problem = ProducerHttp.json(response);
        assertThat(problem.path("title").asString()).isEqualTo("Queue declared with other arguments");
        assertThat(problem.path("queue").asString()).isEqualTo(PLAIN);
        assertThat(problem.path("detail").asString())
                .contains("queue '" + PLAIN + "' already exists with other arguments")
                .contains("inequivalent arg 'x-max-priority'")
                .contains("bullpen.queues[" + PLAIN + "]");
        assertThat(broker.messageCount(PLAIN)).isZero();
    }

    private HttpResponse<String> post(String json) {
        return new ProducerHttp(port).postJson(json);
    }

    private static String argsOf(GetResponse message) {
        return CeleryJson.mapper().readTree(message.getBody()).get(0).toString();
    }

    /** The queue as the management API describes it, arguments included (AMQP cannot read them). */
    private static JsonNode managementQueue(String queue) throws Exception {
        return new BrokerManagement(services).queue(services.virtualHost(), queue);
    }
}
