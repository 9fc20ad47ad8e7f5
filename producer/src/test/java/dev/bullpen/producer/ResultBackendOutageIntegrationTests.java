package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TcpProxy;
import java.net.http.HttpResponse;
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
 * With Redis gone, reading a result answers 503 within the configured command timeout rather than
 * hanging, and reads work again once Redis is back. Redis is reached through a {@link TcpProxy};
 * the shared Redis itself is never stopped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ResultBackendOutageIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static TcpProxy proxy;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        proxy = new TcpProxy(services.redisUri().getHost(), services.redisUri().getPort()).start();
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", () -> proxy.port());
        registry.add("spring.data.redis.timeout", () -> "2s");
        registry.add("bullpen.client.default-queue", () -> broker.queue("tasks"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        proxy.close();
        broker.close();
    }

    @Test
    void answers503WhileRedisIsGoneAndRecoversWhenItIsBack() {
        String id = UUID.randomUUID().toString();
        assertThat(read(id).statusCode()).as("with Redis up").isEqualTo(200);

        proxy.stop();
        long start = System.nanoTime();
        HttpResponse<String> down = read(id);

        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(ProducerHttp.contentType(down)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(down).path("title").asString()).isEqualTo("Result backend unavailable");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));

        proxy.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(read(id).statusCode()).isEqualTo(200));
        assertThat(ProducerHttp.json(read(id)).path("state").asString()).isEqualTo("PENDING");
    }

    private HttpResponse<String> read(String id) {
        return new ProducerHttp(port).get("/api/tasks/" + id);
    }
}
