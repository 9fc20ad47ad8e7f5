package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.test.InProcessWorker;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/workers} from real worker heartbeats, and {@code GET /api/queues} plus the queue
 * gauges from the real broker.
 */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkersAndQueuesIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("work");
    static final String IDLE = services.queue("idle");
    static final Duration WAIT = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.monitor.worker-expiry", () -> "4s");
        registry.add("bullpen.monitor.queue-poll-interval", () -> "1s");
    }

    @LocalServerPort
    int port;

    @Autowired
    TaskClient client;

    @Autowired
    MeterRegistry meters;

    @Test
    void aRunningWorkerIsListedWithItsQueuesAndTasksAndLeavesWhenItStops() {
        String name = services.namespace() + "@test";
        ConfigurableApplicationContext worker = startWorker(name);
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode listed = find(workers(), name);
                assertThat(listed).as("worker %s in %s", name, workers()).isNotNull();
                assertThat(listed.path("software").asString()).isEqualTo("bullpen");
                assertThat(listed.path("queues").toString()).isEqualTo("[\"" + QUEUE + "\"]");
                assertThat(listed.path("tasks").toString()).contains("\"demo.add\"", "\"demo.sleep\"");
                assertThat(listed.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
                assertThat(listed.path("started_at").isNull()).isFalse();
            });
            assertThat(meters.get(MeterNames.WORKERS_ALIVE).gauge().value()).isGreaterThanOrEqualTo(1);
        } finally {
            worker.close();
        }
        // worker-offline: gone well before the 4 s expiry would drop it.
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(find(workers(), name)).isNull());
    }

    @Test
    void aWorkerThatStopsBeatingDropsOutAfterTheExpiry() throws Exception {
        String ghost = "ghost-" + services.namespace() + "@elsewhere";
        // The event queue lets heartbeats expire after a few seconds, so on a slow machine one may be
        // dropped before the directory reads it: beat until it is listed, as a live worker would.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            CeleryHeartbeat.publish(ghost);
            assertThat(find(workers(), ghost)).isNotNull();
        });
        await().atLeast(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(find(workers(), ghost)).isNull());
    }

    @Test
    void queuesAreListedWithTheirDepthAndExportedAsGauges() {
        for (int i = 0; i < 5; i++) {
            client.send("demo.add", List.of(i, i), Map.of(), TaskOptions.defaults().queue(IDLE));
        }
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode idle = null;
            for (JsonNode q : get("/api/queues")) {
                if (q.path("name").asString().equals(IDLE)) {
                    idle = q;
                }
            }
            assertThat(idle).as("%s in /api/queues", IDLE).isNotNull();
            assertThat(idle.path("ready").asLong()).isEqualTo(5);
            assertThat(idle.path("consumers").asLong()).isZero();
            var gauge = meters.find(MeterNames.QUEUE_MESSAGES_READY).tag(MeterNames.TAG_QUEUE, IDLE).gauge();
            assertThat(gauge).isNotNull();
            assertThat(gauge.value()).isEqualTo(5);
        });
    }

    private ConfigurableApplicationContext startWorker(String name) {
        return InProcessWorker.on(services).withApplicationDefaults().queues(QUEUE).name(name)
                .property("bullpen.worker.heartbeat-interval", "1s").run();
    }

    private JsonNode workers() {
        return get("/api/workers");
    }

    private static JsonNode find(JsonNode workers, String hostname) {
        for (JsonNode w : workers) {
            if (w.path("hostname").asString().equals(hostname)) {
                return w;
            }
        }
        return null;
    }

    private JsonNode get(String path) {
        return ProducerHttp.json(new ProducerHttp(port).get(path));
    }

    /** One heartbeat, as a Celery worker would send it, from a worker that then says nothing more. */
    private static final class CeleryHeartbeat {
        static void publish(String hostname) throws Exception {
            var event = CeleryJson.mapper().createObjectNode();
            event.put("hostname", hostname);
            event.put("type", "worker-heartbeat");
            event.put("sw_ident", "py-celery");
            event.put("sw_ver", "5.2.7");
            event.put("pid", 4242);
            event.put("active", 0);
            event.put("processed", 0);
            event.put("timestamp", System.currentTimeMillis() / 1000.0);
            try (Connection c = services.amqpConnectionFactory().newConnection("ghost"); Channel ch = c.createChannel()) {
                ch.exchangeDeclare("celeryev", "topic", true);
                ch.basicPublish("celeryev", "worker.heartbeat", new AMQP.BasicProperties.Builder()
                        .contentType("application/json").build(), event.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
