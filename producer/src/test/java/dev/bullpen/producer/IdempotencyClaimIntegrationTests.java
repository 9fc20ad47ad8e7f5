package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.CeleryJson;
import io.micrometer.core.instrument.MeterRegistry;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TcpProxy;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.cfg.JsonNodeFeature;

/**
 * The life of an {@code Idempotency-Key}'s claim in Redis: it expires after
 * {@code bullpen.producer.idempotency-ttl}; a duplicate that finds it pending waits for it to be
 * settled, and never answers an id the claimant did not publish; without Redis nothing is published.
 * Pending claims are written straight into Redis here, as a claimant still publishing leaves them,
 * and the test settles or releases them only once the {@code bullpen.idempotent.waiting} gauge shows
 * the duplicate waiting, so that nothing depends on timing. Redis is reached through a {@link TcpProxy}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IdempotencyClaimIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final Duration TTL = Duration.ofSeconds(3);

    static TcpProxy proxy;

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        proxy = new TcpProxy(services.redisUri().getHost(), services.redisUri().getPort()).start();
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", () -> proxy.port());
        registry.add("spring.data.redis.timeout", () -> "2s");
        registry.add("bullpen.producer.idempotency-ttl", TTL::toString);
        // A duplicate waits for a pending claim this long plus 5 s before it answers 409.
        registry.add("bullpen.client.confirm-timeout", () -> "2s");
        registry.add("bullpen.client.default-queue", () -> broker.queue("default"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        proxy.close();
        broker.close();
    }

    @Test
    void aKeyPastItsTtlPublishesANewTask() throws Exception {
        String queue = declared("expiry");
        String key = UUID.randomUUID().toString();
        String body = task(queue);

        String first = id(submit(key, body));
        assertThat(id(submit(key, body))).as("within the TTL").isEqualTo(first);
        assertThat(redis().getExpire(redisKey(key))).isBetween(0L, TTL.toSeconds());
        await().atMost(Duration.ofSeconds(15)).until(() -> !redis().hasKey(redisKey(key)));

        HttpResponse<String> later = submit(key, body);

        assertThat(id(later)).isNotEqualTo(first);
        assertThat(later.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(broker.messageCount(queue)).isEqualTo(2);
    }

    @Test
    void aDuplicateWaitsForAPendingClaimAndAnswersItsIdOnceSettled() throws Exception {
        String queue = declared("pending");
        String key = UUID.randomUUID().toString();
        String body = task(queue);
        String claimed = "claimed-" + UUID.randomUUID();
        redis().opsForValue().set(redisKey(key), record("pending", claimed, body), Duration.ofMinutes(1));

        CompletableFuture<HttpResponse<String>> duplicate = CompletableFuture.supplyAsync(() -> submit(key, body));
        awaitWaiting(duplicate);
        redis().opsForValue().set(redisKey(key), record("published", claimed, body), TTL);

        HttpResponse<String> answer = duplicate.get();
        assertThat(id(answer)).isEqualTo(claimed);
        assertThat(answer.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(waiting()).isZero();
        assertThat(broker.messageCount(queue)).as("the duplicate publishes nothing").isZero();
    }

    @Test
    void aDuplicateOfAClaimThatIsReleasedAnswers503NotItsId() throws Exception {
        String queue = declared("released");
        String key = UUID.randomUUID().toString();
        String body = task(queue);
        redis().opsForValue().set(redisKey(key), record("pending", "never-sent", body), Duration.ofMinutes(1));

        CompletableFuture<HttpResponse<String>> duplicate = CompletableFuture.supplyAsync(() -> submit(key, body));
        awaitWaiting(duplicate);
        redis().delete(redisKey(key));

        HttpResponse<String> answer = duplicate.get();
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(ProducerHttp.contentType(answer)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(answer).path("title").asString()).isEqualTo("Task not sent");
        assertThat(answer.body()).doesNotContain("never-sent");
        assertThat(broker.messageCount(queue)).isZero();
    }

    @Test
    void aDuplicateOfAClaimThatStaysPendingAnswers409() throws Exception {
        String queue = declared("stuck");
        String key = UUID.randomUUID().toString();
        String body = task(queue);
        redis().opsForValue().set(redisKey(key), record("pending", "stuck", body), Duration.ofMinutes(1));

        HttpResponse<String> answer = submit(key, body);

        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(ProducerHttp.contentType(answer)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(answer).path("title").asString()).isEqualTo("Request in progress");
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        assertThat(broker.messageCount(queue)).isZero();
    }

    @Test
    void withoutRedisItAnswers503AndPublishesNothing() throws Exception {
        String queue = declared("outage");
        String key = UUID.randomUUID().toString();
        String body = task(queue);

        proxy.stop();
        HttpResponse<String> down;
        try {
            down = submit(key, body);
        } finally {
            proxy.start();
        }

        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(ProducerHttp.contentType(down)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(down).path("title").asString()).isEqualTo("Idempotency store unavailable");
        assertThat(down.headers().firstValue("Retry-After")).isPresent();
        assertThat(broker.messageCount(queue)).isZero();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> submit(key, body).statusCode() == 202);
        assertThat(broker.messageCount(queue)).isEqualTo(1);
    }

    /** Until the duplicate has found the pending claim and waits on it, no sooner. */
    private void awaitWaiting(CompletableFuture<HttpResponse<String>> duplicate) {
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting() == 1);
        assertThat(duplicate).as("a duplicate of a pending claim").isNotDone();
    }

    private double waiting() {
        return meters.get(MeterNames.IDEMPOTENT_WAITING).gauge().value();
    }

    private HttpResponse<String> submit(String key, String json) {
        ProducerHttp http = new ProducerHttp(port);
        return http.send(http.request("/api/tasks").header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(BodyPublishers.ofString(json)).build());
    }

    private static String task(String queue) {
        return "{\"task\": \"demo.add\", \"queue\": \"%s\", \"args\": [1, 2]}".formatted(queue);
    }

    private static String id(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return ProducerHttp.json(response).path("id").asString();
    }

    private static String declared(String name) throws Exception {
        String queue = broker.queue(name);
        broker.declare(queue);
        return queue;
    }

    private static String redisKey(String key) {
        return services.redisPrefix() + "bullpen-idem-" + IdempotentSubmitIntegrationTests.sha256(key);
    }

    /** A record as the producer stores it: the body's fingerprint is its JSON with sorted properties, hashed. */
    private static String record(String state, String id, String body) {
        String canonical = CeleryJson.mapper().writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
                .writeValueAsString(CeleryJson.mapper().readTree(body));
        return CeleryJson.mapper().createObjectNode().put("state", state).put("claim", "test")
                .put("id", id).put("fingerprint", IdempotentSubmitIntegrationTests.sha256(canonical)).toString();
    }

    private static StringRedisTemplate redis() {
        StringRedisTemplate template = new StringRedisTemplate(services.redisConnectionFactory());
        template.afterPropertiesSet();
        return template;
    }
}
