package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.test.BrokerManagement;
import dev.bullpen.test.BullpenServices;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The client on the real broker: a task sent without a queue lands on its routed queue, a queue
 * with a definition is declared with {@code x-max-priority}, and a queue that exists with other
 * arguments is a {@link QueueMismatchException} naming the argument, not a channel closed on us.
 */
class QueueRoutingIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String DEFAULT = services.queue("default");
    static final String IMAGES = services.queue("images");
    static final String MAIL = services.queue("mail");
    static final String URGENT = services.queue("urgent");
    static final String PRIORITY = services.queue("priority");
    static final String PLAIN_BY_CELERY = services.queue("plain-by-celery");
    static final String PRIORITY_BY_OTHERS = services.queue("priority-by-others");

    static RedisResultBackend results;
    static Connection amqp;
    static TaskClient client;

    @BeforeAll
    static void connect() throws Exception {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofHours(1));
        amqp = services.amqpConnectionFactory().newConnection("bullpen-test-inspector");
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("images.*", IMAGES);
        routes.put("mail.send", MAIL);
        routes.put("reports.*", PRIORITY);
        TaskClientSettings settings = new TaskClientSettings(DEFAULT, Duration.ofSeconds(10), 2, true)
                .withRoutes(TaskRoutes.of(routes))
                .withQueues(Map.of(PRIORITY, QueueDefinition.withMaxPriority(9),
                        PLAIN_BY_CELERY, QueueDefinition.withMaxPriority(9)));
        client = TaskClient.builder(services.amqpConnectionFactory(), results).settings(settings).build();
    }

    @AfterAll
    static void disconnect() throws Exception {
        client.close();
        results.close();
        amqp.close();
    }

    @Test
    void aTaskWithoutAQueueLandsOnItsRoutedQueue() throws Exception {
        client.send("images.thumbnail", List.of("a.png"));
        client.send("mail.send", List.of("to@example.com"));
        client.send("demo.add", List.of(1, 2));
        client.send("images.resize", List.of(), Map.of(), TaskOptions.defaults().queue(URGENT));

        assertThat(taskOn(IMAGES)).isEqualTo("images.thumbnail");
        assertThat(taskOn(MAIL)).isEqualTo("mail.send");
        assertThat(taskOn(DEFAULT)).as("no route: the default queue").isEqualTo("demo.add");
        assertThat(taskOn(URGENT)).as("the call's queue wins over the route").isEqualTo("images.resize");
        for (String queue : List.of(IMAGES, MAIL, DEFAULT, URGENT)) {
            assertThat(messageCount(queue)).as(queue).isZero();
        }
        assertThat(client.queueFor("images.x", TaskOptions.defaults())).isEqualTo(IMAGES);
    }

    @Test
    void aDefinedQueueIsDeclaredWithMaxPriorityAndTasksCarryTheirPriority() throws Exception {
        client.send("reports.build", List.of(1), Map.of(), TaskOptions.defaults().priority(7));

        JsonNode queue = managementQueue(PRIORITY);
        assertThat(queue.path("arguments").path("x-max-priority").asInt()).isEqualTo(9);
        assertThat(queue.path("durable").asBoolean()).isTrue();
        GetResponse message = take(PRIORITY);
        assertThat(message.getProps().getPriority()).isEqualTo(7);
        assertThat(message.getProps().getHeaders().get("task").toString()).isEqualTo("reports.build");
        assertThat(managementQueue(IMAGES).path("arguments").size()).as("a queue without a definition, as Celery's")
                .isZero();
    }

    @Test
    void aQueueThatExistsWithOtherArgumentsIsAClearError() throws Exception {
        try (Channel ch = amqp.createChannel()) {
            BrokerTopology.declareQueueLikeCelery(ch, PLAIN_BY_CELERY); // as Celery's default queue: no arguments
        }

        for (int attempt = 0; attempt < 2; attempt++) { // not cached as known after a failure
            assertThatThrownBy(() -> client.send("demo.add", List.of(1, 2), Map.of(),
                    TaskOptions.defaults().queue(PLAIN_BY_CELERY)))
                    .isInstanceOfSatisfying(QueueMismatchException.class, ex -> {
                        assertThat(ex.queue()).isEqualTo(PLAIN_BY_CELERY);
                        assertThat(ex.expected()).containsOnly(Map.entry("x-max-priority", 9));
                        assertThat(ex.brokerReason()).contains("inequivalent arg 'x-max-priority'");
                        assertThat(ex.getMessage())
                                .contains("queue '" + PLAIN_BY_CELERY + "' already exists with other arguments")
                                .contains("bullpen.queues[" + PLAIN_BY_CELERY + "]")
                                .contains("queue_arguments={'x-max-priority': 9}");
                    });
        }
        assertThat(messageCount(PLAIN_BY_CELERY)).isZero();
        assertThat(client.send("demo.add", List.of(1, 2)).id()).as("the client carries on with other queues").isNotBlank();
    }

    @Test
    void aQueueWithoutADefinitionIsLeftAsItWasDeclared() throws Exception {
        try (Channel ch = amqp.createChannel()) {
            BrokerTopology.declareQueue(ch, PRIORITY_BY_OTHERS, QueueDefinition.withMaxPriority(5));
        }

        client.send("demo.add", List.of(1, 2), Map.of(), TaskOptions.defaults().queue(PRIORITY_BY_OTHERS).priority(3));

        assertThat(take(PRIORITY_BY_OTHERS).getProps().getPriority()).isEqualTo(3);
        assertThat(managementQueue(PRIORITY_BY_OTHERS).path("arguments").path("x-max-priority").asInt()).isEqualTo(5);
    }

    private static String taskOn(String queue) throws Exception {
        return take(queue).getProps().getHeaders().get("task").toString();
    }

    private static GetResponse take(String queue) throws Exception {
        try (Channel ch = amqp.createChannel()) {
            GetResponse message = ch.basicGet(queue, true);
            assertThat(message).as("a message on " + queue).isNotNull();
            return message;
        }
    }

    private static long messageCount(String queue) throws Exception {
        try (Channel ch = amqp.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** The queue as the management API describes it, arguments included (AMQP cannot read them). */
    private static JsonNode managementQueue(String queue) throws Exception {
        return new BrokerManagement(services).queue(services.virtualHost(), queue);
    }
}
