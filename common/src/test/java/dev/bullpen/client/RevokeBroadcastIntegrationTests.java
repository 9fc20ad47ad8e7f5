package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.InMemoryResultBackend;
import dev.bullpen.revoke.InMemoryRevocations;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link TaskControl#revoke} broadcasts Celery's remote-control revoke the way a real Python Celery
 * 5 client's {@code app.control.revoke} does: both are caught on a queue of this test's own bound to
 * {@code celery.pidbox}, and their bodies and message properties compared. Other tests' broadcasts
 * land there too; only this test's task ids are looked at.
 */
@NeedsPython
class RevokeBroadcastIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static Connection amqp;
    private static Channel channel;
    private static String queue;
    private static TaskClient client;
    private static final InMemoryRevocations revocations = new InMemoryRevocations(Duration.ofHours(1));

    @BeforeAll
    static void bindToTheMailbox() throws Exception {
        amqp = services.amqpConnectionFactory().newConnection("bullpen-test-pidbox-listener");
        channel = amqp.createChannel();
        channel.exchangeDeclare("celery.pidbox", "fanout", false);
        queue = channel.queueDeclare(services.queue("pidbox-catcher"), false, true, true, Map.of()).getQueue();
        channel.queueBind(queue, "celery.pidbox", "");
        client = TaskClient.builder(services.amqpConnectionFactory(), new InMemoryResultBackend())
                .revocations(revocations)
                .settings(new TaskClientSettings(services.queue("unused"), Duration.ofSeconds(10), 1, true)).build();
    }

    @AfterAll
    static void close() throws Exception {
        client.close();
        amqp.close();
    }

    @Test
    void revokeBroadcastsWhatCeleryAppControlRevokeBroadcasts() throws Exception {
        String fromPython = UUID.randomUUID().toString();
        String fromJava = UUID.randomUUID().toString();
        String plainFromJava = UUID.randomUUID().toString();

        pythonRevokes(fromPython);
        client.control().revoke(fromJava, true);
        client.control().revoke(plainFromJava);

        Map<String, GetResponse> caught = catchRevokes(List.of(fromPython, fromJava, plainFromJava));
        GetResponse celery = caught.get(fromPython);
        GetResponse bullpen = caught.get(fromJava);

        JsonNode celeryBody = CeleryJson.mapper().readTree(celery.getBody());
        JsonNode bullpenBody = CeleryJson.mapper().readTree(bullpen.getBody());
        ((ObjectNode) celeryBody.get("arguments")).put("task_id", fromJava);
        assertThat(bullpenBody).isEqualTo(celeryBody);
        assertThat(fieldNames(bullpenBody)).containsExactlyElementsOf(fieldNames(celeryBody));
        assertThat(bullpenBody.toString()).isEqualTo("{\"method\":\"revoke\",\"arguments\":{\"task_id\":\"" + fromJava
                + "\",\"terminate\":true,\"signal\":\"SIGTERM\"},\"destination\":null,\"pattern\":null,\"matcher\":null}");
        assertThat(CeleryJson.mapper().readTree(caught.get(plainFromJava).getBody()).path("arguments").path("terminate")
                .asBoolean(true)).isFalse();

        AMQP.BasicProperties c = celery.getProps();
        AMQP.BasicProperties b = bullpen.getProps();
        assertThat(b.getContentType()).isEqualTo(c.getContentType()).isEqualTo("application/json");
        assertThat(b.getContentEncoding()).isEqualTo(c.getContentEncoding()).isEqualTo("utf-8");
        assertThat(b.getDeliveryMode()).isEqualTo(c.getDeliveryMode()).isEqualTo(2);
        assertThat(b.getPriority()).isEqualTo(c.getPriority());
        assertThat(b.getHeaders().keySet()).isEqualTo(c.getHeaders().keySet()).containsExactlyInAnyOrder("clock", "expires");
        assertThat(b.getHeaders().get("clock")).isInstanceOf(Number.class);
        double expires = ((Number) b.getHeaders().get("expires")).doubleValue();
        double now = Instant.now().toEpochMilli() / 1000.0;
        assertThat(expires).as("kombu's send time + the 1 s timeout").isBetween(now - 30, now + 1.5);
        assertThat(bullpen.getEnvelope().getExchange()).isEqualTo(celery.getEnvelope().getExchange()).isEqualTo("celery.pidbox");
        assertThat(revocations.isRevoked(fromJava)).as("stored in the revocations too").isTrue();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }

    /** Takes the mailbox's messages until a revoke for each id has come; ignores the rest. */
    private static Map<String, GetResponse> catchRevokes(List<String> ids) {
        Map<String, GetResponse> caught = new HashMap<>();
        await().atMost(PATIENCE).until(() -> {
            GetResponse got;
            while ((got = channel.basicGet(queue, true)) != null) {
                JsonNode body = CeleryJson.mapper().readTree(got.getBody());
                String id = body.path("arguments").path("task_id").asString("");
                if (ids.contains(id)) {
                    caught.put(id, got);
                }
            }
            return caught.keySet().containsAll(ids);
        });
        return caught;
    }

    private static void pythonRevokes(String id) throws Exception {
        String script = "import sys\nfrom celery import Celery\n"
                + "app = Celery('interop', broker=sys.argv[1])\n"
                + "app.conf.update(broker_connection_retry_on_startup=True)\n"
                + "app.control.revoke(sys.argv[2], terminate=True)\n";
        PythonCelery.run("-c", script, services.amqpUri().toString(), id);
    }
}
