package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.test.BullpenServices;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code Idempotency-Key} on {@code POST /api/tasks} against the real broker and Redis: one key, one
 * message on the queue, one id for every request with it, concurrent or not. Queues are counted by
 * passive declare; nothing consumes them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IdempotentSubmitIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> broker.queue("default"));
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @Test
    void aRepeatAnswersTheSameIdAndPublishesNothing() throws Exception {
        String queue = declared("twice");
        String key = UUID.randomUUID().toString();
        String body = task(queue, "[2, 3]");

        HttpResponse<String> first = submit(key, body);
        HttpResponse<String> again = submit(key, body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        String id = id(first);
        assertThat(id(again)).isEqualTo(id);
        assertThat(again.headers().firstValue("Location")).hasValue("/api/tasks/" + id)
                .isEqualTo(first.headers().firstValue("Location"));
        assertThat(ProducerHttp.json(again).path("state").asString()).isEqualTo("PENDING");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");

        assertThat(broker.messageCount(queue)).isEqualTo(1);
        assertThat(broker.take(queue).getProps().getCorrelationId()).isEqualTo(id);
    }

    @Test
    void keepsTheKeyInRedisUnderTheResultPrefixForTheTtl() throws Exception {
        String key = "order-" + UUID.randomUUID();
        String id = id(submit(key, task(declared("ttl"), "[1]")));

        String redisKey = services.redisPrefix() + "bullpen-idem-" + sha256(key);
        StringRedisTemplate redis = redis();
        assertThat(redis.opsForValue().get(redisKey)).contains("\"state\":\"published\"").contains("\"id\":\"" + id + "\"")
                .doesNotContain(key);
        assertThat(redis.getExpire(redisKey)).isBetween(Duration.ofHours(24).minusMinutes(1).toSeconds(),
                Duration.ofHours(24).toSeconds());
    }

    @Test
    void concurrentDuplicatesAllAnswerOneIdAndPublishOnce() throws Exception {
        String queue = declared("concurrent");
        String key = UUID.randomUUID().toString();
        String body = task(queue, "[\"once\"]");
        int requests = 20;
        double replaysBefore = replays();

        List<HttpResponse<String>> responses = concurrently(requests, () -> submit(key, body));

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(202);
        Set<String> ids = responses.stream().map(IdempotentSubmitIntegrationTests::id).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        assertThat(responses.stream().filter(r -> r.headers().firstValue("Idempotent-Replayed").isPresent()))
                .hasSize(requests - 1);
        assertThat(replays() - replaysBefore).isEqualTo(requests - 1);
        assertThat(broker.messageCount(queue)).isEqualTo(1);
        assertThat(broker.take(queue).getProps().getCorrelationId()).isEqualTo(ids.iterator().next());
    }

    @Test
    void differentKeysAreDifferentTasks() throws Exception {
        String queue = declared("keys");
        String body = task(queue, "[1, 1]");

        String one = id(submit(UUID.randomUUID().toString(), body));
        String two = id(submit(UUID.randomUUID().toString(), body));

        assertThat(one).isNotEqualTo(two);
        assertThat(broker.messageCount(queue)).isEqualTo(2);
    }

    @Test
    void aKeyReusedWithAnotherBodyIs422AndPublishesNothingMore() throws Exception {
        String queue = declared("reused");
        String key = UUID.randomUUID().toString();
        String id = id(submit(key, task(queue, "[2, 3]")));

        HttpResponse<String> other = submit(key, task(queue, "[2, 4]"));

        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(ProducerHttp.contentType(other)).startsWith("application/problem+json");
        assertThat(ProducerHttp.json(other).path("title").asString()).isEqualTo("Idempotency-Key reused");
        assertThat(ProducerHttp.json(other).path("field").asString()).isEqualTo("Idempotency-Key");
        assertThat(ProducerHttp.json(other).path("detail").asString()).contains("different request body");
        // The same request with its fields reordered and spaced otherwise is the same request.
        HttpResponse<String> reordered = submit(key, "{\"args\":[2,3],\"queue\":\"" + queue + "\",\"task\":\"demo.add\"}");
        assertThat(reordered.statusCode()).isEqualTo(202);
        assertThat(id(reordered)).isEqualTo(id);
        assertThat(broker.messageCount(queue)).isEqualTo(1);
    }

    @Test
    void aTaskIdInTheBodyIsTheIdTheKeyStandsFor() throws Exception {
        String queue = declared("taskid");
        String key = UUID.randomUUID().toString();
        String taskId = "invoice-" + UUID.randomUUID();
        String body = "{\"task\": \"demo.add\", \"queue\": \"%s\", \"task_id\": \"%s\"}".formatted(queue, taskId);

        assertThat(id(submit(key, body))).isEqualTo(taskId);
        assertThat(id(submit(key, body))).isEqualTo(taskId);
        assertThat(broker.messageCount(queue)).isEqualTo(1);
    }

    @Test
    void refusesAnEmptyOrOverlongKeyWith400AndPublishesNothing() throws Exception {
        String queue = declared("badkey");
        for (String key : new String[] {"", " ", "k".repeat(256)}) {
            HttpResponse<String> response = submit(key, task(queue, "[1]"));

            assertThat(response.statusCode()).as("key of %d characters", key.length()).isEqualTo(400);
            assertThat(ProducerHttp.contentType(response)).startsWith("application/problem+json");
            assertThat(ProducerHttp.json(response).path("field").asString()).isEqualTo("Idempotency-Key");
        }
        assertThat(submit("k".repeat(255), task(queue, "[1]")).statusCode()).isEqualTo(202);
        assertThat(broker.messageCount(queue)).isEqualTo(1);
    }

    @Test
    void anInvalidBodyClaimsNothing() throws Exception {
        String queue = declared("invalid");
        String key = UUID.randomUUID().toString();

        assertThat(submit(key, "{\"task\": \"demo.add\", \"queue\": \"" + queue + "\", \"args\": {}}").statusCode())
                .isEqualTo(400);
        assertThat(submit(key, task(queue, "[1]")).statusCode()).isEqualTo(202);
        assertThat(broker.messageCount(queue)).isEqualTo(1);
    }

    @Test
    void aFailedPublishReleasesTheKeySoThatARepeatPublishes() throws Exception {
        // A queue that refuses every message: the broker nacks the publish, the producer answers 503.
        String queue = broker.queue("refusing");
        declare(queue, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
        String key = UUID.randomUUID().toString();
        String body = task(queue, "[7]");

        List<HttpResponse<String>> refused = concurrently(5, () -> submit(key, body));

        assertThat(refused).extracting(HttpResponse::statusCode).containsOnly(503);
        assertThat(refused).allSatisfy(r -> assertThat(ProducerHttp.contentType(r)).startsWith("application/problem+json"));
        assertThat(redis().hasKey(services.redisPrefix() + "bullpen-idem-" + sha256(key))).isFalse();

        declare(queue, Map.of()); // deleted and declared again, now taking messages
        HttpResponse<String> repeat = submit(key, body);

        assertThat(repeat.statusCode()).isEqualTo(202);
        assertThat(repeat.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(broker.messageCount(queue)).isEqualTo(1);
        assertThat(broker.take(queue).getProps().getCorrelationId()).isEqualTo(id(repeat));
    }

    @Test
    void documentsTheKeyInTheOpenApi() {
        JsonNode post = ProducerHttp.json(new ProducerHttp(port).get("/v3/api-docs")).path("paths").path("/api/tasks").path("post");

        List<JsonNode> keys = post.path("parameters").valueStream()
                .filter(p -> p.path("name").asString().equals("Idempotency-Key")).toList();
        assertThat(keys).singleElement().satisfies(p -> {
            assertThat(p.path("in").asString()).isEqualTo("header");
            assertThat(p.path("required").asBoolean(false)).isFalse();
            assertThat(p.path("schema").path("maxLength").asInt()).isEqualTo(255);
            assertThat(p.path("description").asString()).contains("same id");
        });
        assertThat(post.path("responses").propertyNames()).contains("202", "400", "409", "422", "503");
        assertThat(post.path("responses").path("202").path("headers").has("Idempotent-Replayed")).isTrue();
    }

    private double replays() {
        return meters.get(MeterNames.IDEMPOTENT_REPLAYS).counter().count();
    }

    private HttpResponse<String> submit(String key, String json) {
        ProducerHttp http = new ProducerHttp(port);
        return http.send(http.request("/api/tasks").header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(BodyPublishers.ofString(json)).build());
    }

    /** Runs {@code count} calls at once: each thread waits until all are ready, then they go together. */
    private static <T> List<T> concurrently(int count, Callable<T> call) throws Exception {
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch go = new CountDownLatch(1);
        List<T> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    return call.call();
                }));
            }
            ready.await();
            go.countDown();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
        }
        return results;
    }

    private static String task(String queue, String args) {
        return "{\"task\": \"demo.add\", \"queue\": \"%s\", \"args\": %s}".formatted(queue, args);
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

    /** (Re)declares a queue with arguments, deleting it first: RabbitMQ will not change a queue's arguments. */
    private static void declare(String queue, Map<String, Object> arguments) throws Exception {
        try (Connection connection = broker.connectionFactory().newConnection("bullpen-idempotency-test");
             Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
            channel.queueDeclare(queue, true, false, false, arguments);
        }
    }

    private static StringRedisTemplate redis() {
        StringRedisTemplate template = new StringRedisTemplate(services.redisConnectionFactory());
        template.afterPropertiesSet();
        return template;
    }

    static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new AssertionError(ex);
        }
    }
}
