package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A worker whose consumer the broker cancels (its queue deleted) while the connection stays up no
 * longer consumes that queue: it says so in its health, DOWN, rather than looking fine while idle,
 * so that an orchestrator restarts it. Its other queues go on.
 */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class ConsumerCancelIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String KEPT = services.queue("kept");
    static final String DELETED = services.queue("deleted");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> KEPT + "," + DELETED);
        registry.add("bullpen.client.default-queue", () -> KEPT);
    }

    @Autowired
    @Qualifier("bullpenWorkerHealthIndicator")
    HealthIndicator health;

    @Autowired
    TaskClient client;

    @Test
    void aConsumerTheBrokerCancelledMakesTheWorkerDown() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus(), Status.UP::equals);

        try (Connection c = services.amqpConnectionFactory().newConnection("consumer-cancel-tests");
             Channel channel = c.createChannel()) {
            channel.queueDelete(DELETED);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus(), Status.DOWN::equals);
        assertThat(client.send("demo.add", List.of(1, 2), Map.of(), TaskOptions.defaults().queue(KEPT))
                .get(Duration.ofSeconds(30), Integer.class)).as("the other queue is still consumed").isEqualTo(3);
    }
}
