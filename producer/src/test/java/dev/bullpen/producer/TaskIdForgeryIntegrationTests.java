package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.test.BullpenServices;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A caller's {@code task_id} cannot be used to forge another task's result: an id that has a result,
 * or a task in flight, is refused with 409 and nothing is published, on {@code POST /api/tasks} and
 * on the batch endpoint; the same Idempotency-Key's replay still answers 202. The claim is a Redis key
 * under the result prefix, held for a lease while publishing, then for the result expiry plus the
 * task's delay, and released when nothing was published.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TaskIdForgeryIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");
    /** Declared by the test with another max priority than bullpen.queues gives it: every publish to it fails. */
    static final String MISMATCHED = broker.queue("mismatched");

    static final Duration RESULT_EXPIRES = Duration.ofHours(3);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> TASKS);
        registry.add("bullpen.result.expires", () -> RESULT_EXPIRES.toSeconds() + "s");
        registry.add("bullpen.queues[" + MISMATCHED + "].max-priority", () -> "9");
    }

    @BeforeAll
    static void declareQueues() throws Exception {
        broker.declare(TASKS);
        broker.declare(MISMATCHED);
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @Test
    void aForgedResultCannotBePrePostedUnderTheVictimsId() throws Exception {
        String victim = "victim-" + UUID.randomUUID();
        HttpResponse<String> forged = http().postJson(
                "{\"task\": \"demo.echo\", \"args\": [\"forged\"], \"task_id\": \"" + victim + "\"}");
        assertThat(forged.statusCode()).isEqualTo(202);
        broker.take(TASKS);

        HttpResponse<String> real = http().postJson(
                "{\"task\": \"demo.echo\", \"args\": [\"real\"], \"task_id\": \"" + victim + "\"}");

        JsonNode problem = ProducerHttp.problem(real, 409);
        assertThat(problem.path("title").asString()).isEqualTo("Task id taken");
        assertThat(problem.path("field").asString()).isEqualTo("task_id");
        assertThat(problem.path("id").asString()).isEqualTo(victim);
        assertThat(problem.path("detail").asString()).contains(victim).contains("in flight");
        assertThat(broker.messageCount(TASKS)).as("the second task is not published").isZero();
    }

    @Test
    void anIdWithAStoredResultIsRefused() throws Exception {
        String done = "done-" + UUID.randomUUID();
        try (StatefulRedisConnection<String, String> raw = redis()) {
            // As a worker, or Python Celery, stores it.
            raw.sync().setex(services.redisPrefix() + RedisResultBackend.TASK_KEY_PREFIX + done, 300,
                    "{\"status\": \"SUCCESS\", \"result\": \"forged\", \"traceback\": null, \"children\": [], "
                            + "\"date_done\": \"2026-01-01T00:00:00\", \"task_id\": \"" + done + "\"}");
        }

        JsonNode problem = ProducerHttp.problem(http().postJson("{\"task\": \"demo.echo\", \"task_id\": \"" + done + "\"}"), 409);

        assertThat(problem.path("id").asString()).isEqualTo(done);
        assertThat(broker.messageCount(TASKS)).isZero();
    }

    @Test
    void theSameIdempotencyKeysReplayStillAnswersTheId() throws Exception {
        String id = "idem-" + UUID.randomUUID();
        String body = "{\"task\": \"demo.add\", \"args\": [1, 2], \"task_id\": \"" + id + "\"}";
        String key = UUID.randomUUID().toString();

        HttpResponse<String> first = postWithKey(body, key);
        HttpResponse<String> replay = postWithKey(body, key);
        HttpResponse<String> otherKey = postWithKey(body, UUID.randomUUID().toString());

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(ProducerHttp.json(replay).path("id").asString()).isEqualTo(id);
        assertThat(ProducerHttp.problem(otherKey, 409).path("title").asString()).isEqualTo("Task id taken");
        assertThat(broker.messageCount(TASKS)).as("published once").isEqualTo(1);
        broker.take(TASKS);
    }

    @Test
    void aBatchWithATakenIdIsRefusedWholeNamingItsIndex() throws Exception {
        String taken = "taken-" + UUID.randomUUID();
        assertThat(http().postJson("{\"task\": \"demo.add\", \"task_id\": \"" + taken + "\"}").statusCode()).isEqualTo(202);
        broker.take(TASKS);
        String fresh = "fresh-" + UUID.randomUUID();

        HttpResponse<String> response = batch("[{\"task\": \"demo.add\", \"task_id\": \"" + fresh + "\"}, "
                + "{\"task\": \"demo.add\"}, {\"task\": \"demo.add\", \"task_id\": \"" + taken + "\"}]");

        JsonNode problem = ProducerHttp.problem(response, 409);
        assertThat(problem.path("index").asInt()).isEqualTo(2);
        assertThat(problem.path("id").asString()).isEqualTo(taken);
        assertThat(broker.messageCount(TASKS)).isZero();
        // All or none: the batch's other id was not claimed, so it can still be used.
        assertThat(http().postJson("{\"task\": \"demo.add\", \"task_id\": \"" + fresh + "\"}").statusCode()).isEqualTo(202);
        broker.take(TASKS);
    }

    @Test
    void aBatchHoldingOneIdTwiceIsRefused() throws Exception {
        String twice = "twice-" + UUID.randomUUID();

        HttpResponse<String> response = batch("[{\"task\": \"demo.add\", \"task_id\": \"" + twice + "\"}, "
                + "{\"task\": \"demo.echo\", \"task_id\": \"" + twice + "\"}]");

        JsonNode problem = ProducerHttp.problem(response, 400);
        assertThat(problem.path("index").asInt()).isEqualTo(1);
        assertThat(problem.path("field").asString()).isEqualTo("task_id");
        assertThat(problem.path("detail").asString()).contains(twice).contains("task 0");
        assertThat(broker.messageCount(TASKS)).isZero();
    }

    @Test
    void aClaimHoldsForTheResultExpiryPlusTheDelayOnceConfirmed() throws Exception {
        String id = "later-" + UUID.randomUUID();

        assertThat(http().postJson("{\"task\": \"demo.add\", \"countdown\": 3600, \"task_id\": \"" + id + "\"}")
                .statusCode()).isEqualTo(202);

        // Extended once the broker confirmed, without the answer waiting for it.
        long expected = RESULT_EXPIRES.plusHours(1).toMillis();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(pttl(services.redisPrefix() + "bullpen-claimed-" + id)).isBetween(expected - 60_000, expected));
        broker.take(TASKS);
    }

    @Test
    void anIdIsFreeAgainWhenItsTaskCouldNotBePublished() throws Exception {
        try (var channel = broker.connectionFactory().newConnection("mismatch").createChannel()) {
            // Declared as Celery would, without the x-max-priority bullpen.queues gives it: every publish fails.
            channel.queueDelete(MISMATCHED);
            channel.queueDeclare(MISMATCHED, true, false, false, java.util.Map.of());
        }
        String id = "unsent-" + UUID.randomUUID();

        HttpResponse<String> failed = http().postJson("{\"task\": \"demo.add\", \"queue\": \"" + MISMATCHED
                + "\", \"task_id\": \"" + id + "\"}");
        HttpResponse<String> again = http().postJson("{\"task\": \"demo.add\", \"task_id\": \"" + id + "\"}");

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(ProducerHttp.json(failed).path("title").asString()).isEqualTo("Queue declared with other arguments");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        broker.take(TASKS);
    }

    private long pttl(String key) {
        try (StatefulRedisConnection<String, String> raw = redis()) {
            return raw.sync().pttl(key);
        }
    }

    private static StatefulRedisConnection<String, String> redis() {
        return ((RedisClient) services.redisConnectionFactory().getRequiredNativeClient()).connect(StringCodec.UTF8);
    }

    private HttpResponse<String> postWithKey(String body, String key) {
        return http().send(http().request("/api/tasks").header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    private HttpResponse<String> batch(String body) {
        return http().send(http().request("/api/tasks/batch").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }
}
