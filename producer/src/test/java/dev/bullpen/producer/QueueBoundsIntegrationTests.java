package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.test.BullpenServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A caller cannot make the broker declare queues at will, nor plant a message in a queue the system
 * keeps for itself: a request may name only the configured queues or those matching
 * {@code bullpen.producer.queue-patterns} (here the class's namespace, {@code <namespace>.*}), and
 * never a reserved one, whatever a pattern says. Every path that takes a queue is checked.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QueueBoundsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");
    /** Outside the namespace's pattern, named in bullpen.queues. */
    static final String CONFIGURED = "bounded-configured-" + UUID.randomUUID();
    /** Outside the namespace's pattern, a route's queue. */
    static final String ROUTED = "bounded-routed-" + UUID.randomUUID();
    /** Names a caller tried, deleted afterwards should one have been created after all. */
    static final List<String> TRIED = new ArrayList<>();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> TASKS);
        registry.add("bullpen.queues[" + CONFIGURED + "].max-priority", () -> "5");
        registry.add("bullpen.routes[bounded.routed]", () -> ROUTED);
    }

    @BeforeAll
    static void declareQueues() throws Exception {
        broker.declare(TASKS);
        broker.declare(TASKS + ".dlq");
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        try (Connection connection = broker.connectionFactory().newConnection("bounds-cleanup")) {
            for (String queue : Stream.concat(TRIED.stream(), Stream.of(CONFIGURED, ROUTED, TASKS + ".dlq")).toList()) {
                try (Channel channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                } catch (IOException ex) {
                    // Never created.
                }
            }
        }
        broker.close();
    }

    @Test
    void fiftyQueuesNamedInALoopAreRefusedAndNoneIsCreated() throws Exception {
        for (int i = 0; i < 50; i++) {
            String queue = "anything-" + i + "-" + UUID.randomUUID();
            TRIED.add(queue);

            JsonNode problem = ProducerHttp.problem(http().postJson("{\"task\": \"demo.add\", \"queue\": \"" + queue + "\"}"), 400);

            assertThat(problem.path("field").asString()).isEqualTo("queue");
            assertThat(problem.path("detail").asString()).contains(queue).contains("bullpen.queues")
                    .contains("bullpen.producer.queue-patterns");
            assertThat(exists(queue)).as(queue + " declared").isFalse();
        }
    }

    static Stream<String> reserved() {
        String ns = services.namespace();
        return Stream.of("celery.dlq", TASKS + ".dlq", "bullpen.delay.3", "amq.gen-planted", ns + ".w@host.dq2",
                ns + ".w@host.celery.pidbox", "celeryev." + ns, ns + ".reply.celery.pidbox");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reserved")
    void reservedNamesAreRefusedEvenWhenAPatternMatchesThem(String queue) throws Exception {
        JsonNode problem = ProducerHttp.problem(http().postJson("{\"task\": \"demo.add\", \"queue\": \"" + queue + "\"}"), 400);

        assertThat(problem.path("field").asString()).isEqualTo("queue");
        assertThat(problem.path("detail").asString()).contains("reserved");
        assertThat(broker.messageCount(TASKS + ".dlq")).as("no dead letter planted").isZero();
    }

    @Test
    void theConfiguredRoutedAndMatchingQueuesAreTaken() throws Exception {
        String tenant = broker.queue("tenant-7");

        assertThat(http().postJson("{\"task\": \"demo.add\", \"queue\": \"" + CONFIGURED + "\"}").statusCode()).isEqualTo(202);
        assertThat(http().postJson("{\"task\": \"bounded.routed\"}").statusCode()).isEqualTo(202);
        assertThat(http().postJson("{\"task\": \"demo.add\", \"queue\": \"" + ROUTED + "\"}").statusCode()).isEqualTo(202);
        assertThat(http().postJson("{\"task\": \"demo.add\", \"queue\": \"" + tenant + "\"}").statusCode()).isEqualTo(202);
        assertThat(http().postJson("{\"task\": \"demo.add\"}").statusCode()).isEqualTo(202);

        assertThat(broker.messageCount(CONFIGURED)).isEqualTo(1);
        assertThat(broker.messageCount(ROUTED)).isEqualTo(2);
        assertThat(broker.messageCount(tenant)).isEqualTo(1);
        assertThat(broker.messageCount(TASKS)).isEqualTo(1);
        broker.take(TASKS);
    }

    @Test
    void batchesWorkflowsMapsAndSchedulesAreBoundedToo() throws Exception {
        String queue = "elsewhere-" + UUID.randomUUID();
        TRIED.add(queue);

        JsonNode batch = ProducerHttp.problem(http().postJson("/api/tasks/batch", "[{\"task\": \"demo.add\"}, {\"task\": \"demo.add\", "
                + "\"queue\": \"" + queue + "\"}]"), 400);
        JsonNode chain = ProducerHttp.problem(http().postJson("/api/workflows", "{\"chain\": [{\"task\": \"demo.add\", \"args\": [1, 1]}, "
                + "{\"task\": \"demo.add\", \"queue\": \"" + queue + "\"}]}"), 400);
        JsonNode map = ProducerHttp.problem(http().postJson("/api/workflows", "{\"map\": {\"task\": \"demo.echo\", \"items\": [1], "
                + "\"queue\": \"" + queue + "\"}}"), 400);
        JsonNode schedule = ProducerHttp.problem(http().postJson("/api/schedules", "{\"name\": \"bounded\", \"task\": \"demo.add\", "
                + "\"interval\": 60, \"queue\": \"" + queue + "\"}"), 400);

        assertThat(batch.path("index").asInt()).isEqualTo(1);
        assertThat(batch.path("field").asString()).isEqualTo("queue");
        assertThat(chain.path("field").asString()).isEqualTo("chain[1].queue");
        assertThat(map.path("field").asString()).isEqualTo("map.queue");
        assertThat(schedule.path("field").asString()).isEqualTo("queue");
        Stream.of(batch, chain, map, schedule).forEach(problem ->
                assertThat(problem.path("detail").asString()).contains("bullpen.producer.queue-patterns"));
        assertThat(exists(queue)).isFalse();
        assertThat(broker.messageCount(TASKS)).isZero();
        assertThat(http().get("/api/schedules/bounded").statusCode()).isEqualTo(404);
    }

    /** A passive declare, on a channel of its own: the broker closes the channel when the queue is missing. */
    private static boolean exists(String queue) throws Exception {
        try (Connection connection = broker.connectionFactory().newConnection("bounds-check")) {
            Channel channel = connection.createChannel();
            try {
                channel.queueDeclarePassive(queue);
                return true;
            } catch (IOException missing) {
                return false;
            }
        }
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }
}
