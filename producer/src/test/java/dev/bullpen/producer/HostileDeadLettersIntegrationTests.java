package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.InboundGuard;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A dead letter Python Celery sent with a header integer past 32 bits used to make
 * {@code GET /api/dead-letters}, and every replay, answer 503 for as long as it sat in the queue:
 * the producer's AMQP client could not read its headers and dropped the connection. Here, in a
 * virtual host of this class's own, it is listed and replayed like any other; and a dead letter a
 * worker kept without its body (over its size limit) is listed but refused a replay, with 409.
 */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HostileDeadLettersIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClassInOwnVhost();

    static final String QUEUE = services.queue("hostile-dead");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @LocalServerPort
    int port;

    @Test
    @NeedsPython
    void aDeadLetterWithPythonsSixtyFourBitHeaderIsListedAndReplayed() throws Exception {
        String id = "wide-" + UUID.randomUUID();
        try (Connection c = services.amqpConnectionFactory().newConnection("hostile-dead-test");
             Channel ch = c.createChannel()) {
            ch.queueDeclare(QUEUE, true, false, false, null); // as a worker would have
        }
        publishFromPython(QUEUE + ".dlq", id);
        ProducerHttp http = new ProducerHttp(port);

        HttpResponse<String> listed = http.get("/api/dead-letters?queue=" + QUEUE);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(ProducerHttp.json(listed).findValuesAsString("id")).contains(id);

        HttpResponse<String> replayed = http.send(http.request("/api/dead-letters/" + id + "/replay?queue=" + QUEUE)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
        assertThat(messageCount(QUEUE)).isEqualTo(1);
    }

    @Test
    void aDeadLetterKeptWithoutItsBodyIsListedButNotReplayed() throws Exception {
        String id = "huge-" + UUID.randomUUID();
        try (Connection c = services.amqpConnectionFactory().newConnection("hostile-dead-test");
             Channel ch = c.createChannel()) {
            ch.queueDeclare(QUEUE + ".dlq", true, false, false, null);
            ch.confirmSelect();
            ch.basicPublish("", QUEUE + ".dlq", new AMQP.BasicProperties.Builder().contentType("application/json")
                    .correlationId(id).headers(Map.of("task", "demo.add", "id", id, InboundGuard.DROPPED_BODY_BYTES,
                            52_428_818L, "x-bullpen-dead-reason", "message body of 52428818 bytes is over ...",
                            "x-bullpen-original-queue", QUEUE)).build(), new byte[0]);
            ch.waitForConfirmsOrDie(10_000);
        }
        ProducerHttp http = new ProducerHttp(port);

        HttpResponse<String> replayed = http.send(http.request("/api/dead-letters/" + id + "/replay?queue=" + QUEUE)
                .POST(HttpRequest.BodyPublishers.noBody()).build());

        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(409);
        assertThat(ProducerHttp.contentType(replayed)).startsWith("application/problem+json");
        JsonNode problem = ProducerHttp.json(replayed);
        assertThat(problem.path("detail").asString()).isEqualTo("dead letter '" + id + "' cannot be replayed: message "
                + "body of 52428818 bytes is over the worker's bullpen.worker.max-message-bytes; the body was not kept");
        assertThat(ProducerHttp.json(http.get("/api/dead-letters?queue=" + QUEUE)).findValuesAsString("id"))
                .as("it stays where it was").contains(id);
    }

    /** py-amqp writes the integer with the field type 'L', as Python Celery does. */
    private static void publishFromPython(String queue, String id) throws Exception {
        var amqp = services.amqpUri();
        String script = """
                import amqp, json, sys
                host, port, vhost, queue, id = sys.argv[1:6]
                with amqp.Connection(f"{host}:{port}", userid="guest", password="guest", virtual_host=vhost) as c:
                    ch = c.channel()
                    ch.queue_declare(queue, durable=True, auto_delete=False)
                    ch.confirm_select()
                    body = json.dumps([[1, 2], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])
                    ch.basic_publish(amqp.Message(body.encode(), content_type="application/json", content_encoding="utf-8",
                        correlation_id=id, delivery_mode=2, application_headers={"lang": "py", "task": "demo.add",
                        "id": id, "tenant_id": 5000000000, "x-bullpen-dead-reason": "max retries exceeded",
                        "x-bullpen-original-queue": queue[:-4]}), exchange="", routing_key=queue)
                """;
        PythonCelery.client("-c", script, amqp.getHost(), Integer.toString(amqp.getPort() < 0 ? 5672 : amqp.getPort()),
                services.ownVhost(), queue, id).onFailureShow(() -> " (py-amqp: Debian's python3-amqp, with python3-celery)").run();
    }

    private static long messageCount(String queue) throws Exception {
        try (Connection c = services.amqpConnectionFactory().newConnection("hostile-dead-count");
             Channel ch = c.createChannel()) {
            return ch.messageCount(queue);
        }
    }
}
