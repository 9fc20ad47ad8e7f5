package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.test.InProcessWorker;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * map, starmap and chunks in POST /api/workflows and GET /api/maps/{id}, with a real worker running the
 * tasks on the real broker and Redis: results in input order, a failed input by its index, item and
 * error, a map followed by a callback, and problem+json for bad requests.
 */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PoolMapEndpointsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("pool-maps");

    @RegisterExtension
    static final InProcessWorker worker = InProcessWorker.on(services).withApplicationDefaults().queues(QUEUE)
            .property("bullpen.client.default-queue", QUEUE).build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @LocalServerPort
    int port;


    ProducerHttp http() {
        return new ProducerHttp(port);
    }
    @Test
    void aMapAnswersWhereToReadItAndGivesResultsInInputOrder() throws Exception {
        HttpResponse<String> sent = post("{\"map\": {\"task\": \"demo.sleep\", \"items\": [0.8, 0.0, 0.3, 0.0]}}");
        assertThat(sent.statusCode()).isEqualTo(202);
        JsonNode accepted = json(sent.body());
        String id = accepted.path("id").asString();
        assertThat(accepted.path("kind").asString()).isEqualTo("map");
        assertThat(accepted.path("members").size()).isEqualTo(4);
        assertThat(sent.headers().firstValue("Location")).hasValue("/api/maps/" + id);

        JsonNode status = await().atMost(Duration.ofSeconds(30)).until(() -> json(get("/api/maps/" + id).body()),
                s -> s.path("done").asInt() == 4);
        assertThat(status.path("state").asString()).isEqualTo("SUCCESS");
        assertThat(status.path("total").asInt()).isEqualTo(4);
        assertThat(status.path("tasks").asInt()).isEqualTo(4);
        assertThat(status.path("results").toString()).isEqualTo("[0.8,0.0,0.3,0.0]");
        assertThat(status.path("failures").isEmpty()).isTrue();
        assertThat(json(get("/api/groups/" + id).body()).path("total").asInt()).as("also a Celery group").isEqualTo(4);
    }

    @Test
    void chunksGiveOneResultPerInputAndNameAFailedInputByIndexItemAndError() throws Exception {
        HttpResponse<String> sent = post("{\"chunks\": {\"task\": \"demo.add\", \"args\": [[1, 2], [3, 4], [5, 6], [7, \"x\"], "
                + "[9, 10]], \"size\": 2}}");
        assertThat(sent.statusCode()).isEqualTo(202);
        JsonNode accepted = json(sent.body());
        assertThat(accepted.path("kind").asString()).isEqualTo("chunks");
        assertThat(accepted.path("members").size()).as("three chunks").isEqualTo(3);
        String id = accepted.path("id").asString();

        JsonNode status = await().atMost(Duration.ofSeconds(30)).until(() -> json(get("/api/maps/" + id).body()),
                s -> s.path("done").asInt() == 5);
        assertThat(status.path("state").asString()).isEqualTo("FAILURE");
        assertThat(status.path("failed").asInt()).as("the failed chunk's inputs").isEqualTo(2);
        assertThat(status.path("results").toString()).isEqualTo("[3,7,null,null,19]");
        JsonNode failure = status.path("failures").get(0);
        assertThat(failure.path("index").asInt()).isEqualTo(3);
        assertThat(failure.path("item").toString()).isEqualTo("[7,\"x\"]");
        assertThat(failure.path("type").asString()).isEqualTo("TypeError");
        assertThat(failure.path("id").asString()).isEqualTo(accepted.path("members").get(1).asString());
    }

    @Test
    void aStarmapFollowedByATaskGivesTheTaskTheResultsInInputOrder() throws Exception {
        HttpResponse<String> sent = post("{\"chain\": [{\"starmap\": {\"task\": \"demo.mul\", \"args\": [[2, 3], [4, 5]]}}, "
                + "{\"task\": \"demo.echo\"}]}");
        assertThat(sent.statusCode()).isEqualTo(202);
        JsonNode result = json(get("/api/tasks/" + json(sent.body()).path("id").asString() + "?wait=20").body());
        assertThat(result.path("result").path("args").toString()).isEqualTo("[[6,20]]");

        HttpResponse<String> chord = post("{\"chord\": {\"header\": {\"chunks\": {\"task\": \"demo.add\", \"args\": "
                + "[[1, 2], [3, 4], [5, 6]], \"size\": 2}}, \"body\": {\"task\": \"demo.echo\"}}}");
        assertThat(chord.statusCode()).isEqualTo(202);
        JsonNode echoed = json(get("/api/tasks/" + json(chord.body()).path("id").asString() + "?wait=20").body());
        assertThat(echoed.path("result").path("args").toString()).as("one list per chunk, as Celery").isEqualTo("[[[3,7],[11]]]");
    }

    @Test
    void badMapsAreProblemsNamingWhere() throws Exception {
        HttpResponse<String> zero = post("{\"chunks\": {\"task\": \"demo.add\", \"args\": [[1, 2]], \"size\": 0}}");
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(zero.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(zero.body()).path("field").asString()).isEqualTo("chunks.size");
        assertThat(json(zero.body()).path("title").asString()).isEqualTo("Invalid workflow");

        HttpResponse<String> empty = post("{\"map\": {\"task\": \"demo.sleep\", \"items\": []}}");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(json(empty.body()).path("field").asString()).isEqualTo("map.items");

        HttpResponse<String> notTuples = post("{\"starmap\": {\"task\": \"demo.add\", \"args\": [1, 2]}}");
        assertThat(notTuples.statusCode()).isEqualTo(400);
        assertThat(json(notTuples.body()).path("field").asString()).isEqualTo("starmap.args[0]");
    }

    @Test
    void anUnknownMapIsNotFound() throws Exception {
        HttpResponse<String> answer = get("/api/maps/no-such-map");
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void documentsTheEndpoints() throws Exception {
        JsonNode docs = json(get("/v3/api-docs").body());
        JsonNode post = docs.path("paths").path("/api/workflows").path("post");
        assertThat(post.path("requestBody").toString()).contains("chunks", "starmap", "items");
        JsonNode map = docs.path("paths").path("/api/maps/{id}").path("get");
        assertThat(map.path("responses").propertyNames()).contains("200", "404", "503");
        assertThat(map.path("responses").path("404").toString()).contains("ApiProblem");
        assertThat(docs.path("components").path("schemas").path("MapStatus").path("properties").propertyNames())
                .contains("id", "kind", "total", "done", "failed", "state", "results", "failures");
        assertThat(docs.path("components").path("schemas").path("MapInputFailure").path("properties").propertyNames())
                .contains("index", "item", "type", "message");
    }

    private HttpResponse<String> post(String body) {
        return http().postJson("/api/workflows", body);
    }

    private HttpResponse<String> get(String path) {
        return http().get(path);
    }

    private static JsonNode json(String body) {
        return CeleryJson.mapper().readTree(body);
    }
}
