package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.revoke.RedisRevocations;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TcpProxy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With the broker gone, a submission answers 503 quickly rather than hanging, and once the broker
 * is back submissions succeed again without a restart. The producer reaches the shared broker
 * through a {@link TcpProxy} that the test switches off and on; the broker itself is never stopped.
 * A revoke meanwhile is stored for Bullpen workers but answers 503, since its broadcast to Python
 * Celery workers could not go out.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BrokerOutageIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");

    static TcpProxy proxy;

    /** "A few seconds": the publisher connects with a 5 s timeout, and refused connections fail at once. */
    static final Duration QUICKLY = Duration.ofSeconds(8);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        var target = broker.connectionFactory();
        proxy = new TcpProxy(target.getHost(), target.getPort()).start();
        registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
        registry.add("spring.rabbitmq.port", () -> proxy.port());
        registry.add("bullpen.client.default-queue", () -> TASKS);
        registry.add("bullpen.client.confirm-timeout", () -> "3s");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        proxy.close();
        broker.close();
    }

    @Test
    void answers503WhileTheBrokerIsGoneAndRecoversWhenItIsBack() throws Exception {
        assertThat(submit(null).statusCode()).as("with the broker up").isEqualTo(202);

        proxy.stop();
        long start = System.nanoTime();
        HttpResponse<String> down = submit(null);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(ProducerHttp.contentType(down)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(down).path("detail").asString()).startsWith("The task was not sent");
        assertThat(down.headers().firstValue("Retry-After")).isPresent();
        assertThat(took).isLessThan(QUICKLY);

        String revokedId = UUID.randomUUID().toString();
        HttpResponse<String> revoke = revoke(revokedId);
        assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(503);
        assertThat(ProducerHttp.contentType(revoke)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(revoke).path("title").asString()).isEqualTo("Revoke not broadcast");
        assertThat(ProducerHttp.json(revoke).path("detail").asString())
                .startsWith("task " + revokedId + " is revoked for Bullpen workers, but Celery's remote-control broadcast");
        assertThat(revoke.headers().firstValue("Retry-After")).isPresent();
        try (var redis = services.redisConnectionFactory().getConnection()) {
            assertThat(redis.keyCommands().exists((services.redisPrefix() + RedisRevocations.KEY_PREFIX + revokedId)
                    .getBytes(StandardCharsets.UTF_8))).as("stored for Bullpen workers all the same").isTrue();
        }

        // A queue never used before goes through the declaration path, which must fail fast too.
        start = System.nanoTime();
        HttpResponse<String> newQueue = submit(broker.queue("fresh"));
        assertThat(newQueue.statusCode()).isEqualTo(503);
        assertThat(ProducerHttp.contentType(newQueue)).startsWith("application/problem+json");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUICKLY);

        proxy.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(submit(null).statusCode()).isEqualTo(202));
        assertThat(submit(broker.queue("fresh")).statusCode()).isEqualTo(202);
        assertThat(broker.messageCount(broker.queue("fresh"))).isEqualTo(1);
        assertThat(revoke(revokedId).statusCode()).as("revoking again, with the broker back").isEqualTo(202);
    }

    private HttpResponse<String> revoke(String id) {
        ProducerHttp http = new ProducerHttp(port);
        return http.send(http.request("/api/tasks/" + id).DELETE().build());
    }

    private HttpResponse<String> submit(String queue) {
        String json = queue == null ? "{\"task\": \"demo.add\", \"args\": [2, 3]}"
                : "{\"task\": \"demo.add\", \"args\": [2, 3], \"queue\": \"" + queue + "\"}";
        return new ProducerHttp(port).postJson(json);
    }
}
