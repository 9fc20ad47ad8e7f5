package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.autoconfigure.ResultProperties;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Results stored in the real Redis read back over HTTP, now or by long-poll. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TaskStatusIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    private static final JsonNodeFactory JSON = CeleryJson.mapper().getNodeFactory();

    @LocalServerPort
    int port;

    @Autowired
    WatchedResultBackend results;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> broker.queue("tasks"));
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Watching {

        /** Replaces the auto-configured backend (it backs off when one exists) with a watched one. */
        @Bean(destroyMethod = "close")
        WatchedResultBackend watchedResultBackend(LettuceConnectionFactory redis, ResultProperties properties) {
            return new WatchedResultBackend(new RedisResultBackend(redis, properties.keyPrefix(), properties.expires()));
        }
    }

    @Test
    void readsASuccessWithItsExtendedFields() {
        String id = newId();
        var meta = new ResultMeta("demo.add", JSON.arrayNode().add(2).add(3), JSON.objectNode(), "w1@host", 0,
                "celery", null, null);
        results.store(TaskResult.success(id, JSON.objectNode().put("sum", 5), meta));

        HttpResponse<String> response = http().get("/api/tasks/" + id);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ProducerHttp.contentType(response)).startsWith("application/json");
        JsonNode body = ProducerHttp.json(response);
        assertThat(body.path("id").asString()).isEqualTo(id);
        assertThat(body.path("state").asString()).isEqualTo("SUCCESS");
        assertThat(body.get("result")).isEqualTo(JSON.objectNode().put("sum", 5));
        assertThat(body.has("error")).isTrue();
        assertThat(body.get("error").isNull()).isTrue();
        assertThat(OffsetDateTime.parse(body.path("date_done").asString()))
                .isCloseTo(OffsetDateTime.now(ZoneOffset.UTC), org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));
        assertThat(body.path("name").asString()).isEqualTo("demo.add");
        assertThat(body.get("args")).isEqualTo(JSON.arrayNode().add(2).add(3));
        assertThat(body.get("kwargs")).isEqualTo(JSON.objectNode());
        assertThat(body.path("worker").asString()).isEqualTo("w1@host");
        assertThat(body.path("retries").asInt()).isZero();
        assertThat(body.path("queue").asString()).isEqualTo("celery");
    }

    @Test
    void readsAFailureAsAnError() {
        String id = newId();
        var error = new RemoteError("ValueError", "builtins", List.of(JSON.stringNode("bad thing")),
                "Traceback (most recent call last):\n  File \"tasks.py\", line 3, in fail\nValueError: bad thing\n");
        results.store(TaskResult.failure(id, TaskState.FAILURE, error, ResultMeta.NONE));

        JsonNode body = ProducerHttp.json(http().get("/api/tasks/" + id));

        assertThat(body.path("state").asString()).isEqualTo("FAILURE");
        assertThat(body.get("result").isNull()).isTrue();
        assertThat(body.path("error").path("type").asString()).isEqualTo("ValueError");
        assertThat(body.path("error").path("message").asString()).isEqualTo("bad thing");
        assertThat(body.path("error").path("traceback").asString()).startsWith("Traceback").contains("ValueError: bad thing");
        assertThat(body.path("date_done").isString()).isTrue();
        assertThat(body.has("name")).as("no extended fields were stored").isFalse();
    }

    @Test
    void anUnknownIdIsPending() {
        String id = newId();

        HttpResponse<String> response = http().get("/api/tasks/" + id);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = ProducerHttp.json(response);
        assertThat(body.propertyNames()).containsExactly("id", "state", "result", "error", "date_done");
        assertThat(body.path("id").asString()).isEqualTo(id);
        assertThat(body.path("state").asString()).isEqualTo("PENDING");
        assertThat(body.get("result").isNull()).isTrue();
        assertThat(body.get("error").isNull()).isTrue();
        assertThat(body.get("date_done").isNull()).isTrue();
    }

    @Test
    void aLongPollAnswersWhenTheResultIsStored() throws Exception {
        String id = newId();

        CompletableFuture<HttpResponse<String>> response = http().getAsync("/api/tasks/" + id + "?wait=5");
        await().atMost(Duration.ofSeconds(5)).until(() -> results.isWaitedFor(id));
        assertThat(response).as("still waiting, nothing stored yet").isNotDone();
        CompletableFuture.runAsync(() -> results.store(TaskResult.success(id, JSON.numberNode(5), ResultMeta.NONE)));

        HttpResponse<String> done = response.get(ProducerHttp.REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        JsonNode body = ProducerHttp.json(done);
        assertThat(body.path("state").asString()).isEqualTo("SUCCESS");
        assertThat(body.path("result").asInt()).isEqualTo(5);
    }

    @Test
    void aLongPollOnAFinishedTaskAnswersAtOnce() {
        String id = newId();
        results.store(TaskResult.success(id, JSON.stringNode("done"), ResultMeta.NONE));

        JsonNode body = ProducerHttp.json(http().get("/api/tasks/" + id + "?wait=30"));

        assertThat(body.path("state").asString()).isEqualTo("SUCCESS");
        assertThat(body.path("result").asString()).isEqualTo("done");
    }

    @Test
    void aLongPollThatRunsOutAnswersPending() {
        String id = newId();
        long start = System.nanoTime();

        HttpResponse<String> response = http().get("/api/tasks/" + id + "?wait=1");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ProducerHttp.json(response).path("state").asString()).isEqualTo("PENDING");
    }

    @Test
    void aLongPollThatRunsOutAnswersTheStateReachedMeanwhile() {
        String id = newId();
        var started = new TaskResult(id, TaskState.STARTED, JSON.objectNode().put("pid", 42).put("hostname", "w1@host"),
                null, null, ResultMeta.NONE);
        results.store(started);

        JsonNode body = ProducerHttp.json(http().get("/api/tasks/" + id + "?wait=0.5"));

        assertThat(body.path("state").asString()).isEqualTo("STARTED");
        assertThat(body.path("result").path("hostname").asString()).isEqualTo("w1@host");
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }
}
