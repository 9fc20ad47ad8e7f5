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

/** POST /api/workflows and GET /api/groups/{id}, with a real worker running the tasks. */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkflowEndpointsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("workflows");

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
    void aChainAnswersItsLastTaskAndRunsToTheEnd() throws Exception {
        HttpResponse<String> sent = post("{\"chain\": [{\"task\": \"demo.add\", \"args\": [1, 2]}, "
                + "{\"task\": \"demo.add\", \"args\": [3]}, {\"task\": \"demo.mul\", \"args\": [10]}]}");
        assertThat(sent.statusCode()).isEqualTo(202);
        JsonNode accepted = json(sent.body());
        assertThat(accepted.path("kind").asString()).isEqualTo("chain");
        assertThat(sent.headers().firstValue("Location")).hasValue("/api/tasks/" + accepted.path("id").asString());
        JsonNode result = json(get("/api/tasks/" + accepted.path("id").asString() + "?wait=20").body());
        assertThat(result.path("result").asInt()).isEqualTo(60);
    }

    @Test
    void aGroupReportsProgressAndResultsInOrder() throws Exception {
        HttpResponse<String> sent = post("{\"group\": [{\"task\": \"demo.add\", \"args\": [1, 1]}, "
                + "{\"chain\": [{\"task\": \"demo.add\", \"args\": [2, 2]}, {\"task\": \"demo.mul\", \"args\": [10]}]}, "
                + "{\"task\": \"demo.fail\", \"args\": [\"no\"]}]}");
        assertThat(sent.statusCode()).isEqualTo(202);
        String id = json(sent.body()).path("id").asString();
        assertThat(sent.headers().firstValue("Location")).hasValue("/api/groups/" + id);
        assertThat(json(sent.body()).path("members").size()).isEqualTo(3);

        JsonNode status = await().atMost(Duration.ofSeconds(20)).until(() -> json(get("/api/groups/" + id).body()),
                s -> s.path("done").asInt() == 3);
        assertThat(status.path("total").asInt()).isEqualTo(3);
        assertThat(status.path("failed").asInt()).isEqualTo(1);
        assertThat(status.path("state").asString()).isEqualTo("FAILURE");
        assertThat(status.path("results").toString()).isEqualTo("[2,40,null]");
        assertThat(status.path("failures").get(0).path("index").asInt()).isEqualTo(2);
        assertThat(status.path("failures").get(0).path("message").asString()).isEqualTo("no");
    }

    @Test
    void aChordAnswersItsBody() throws Exception {
        HttpResponse<String> sent = post("{\"chord\": {\"header\": [{\"task\": \"demo.add\", \"args\": [1, 1]}, "
                + "{\"task\": \"demo.add\", \"args\": [2, 2]}], \"body\": {\"task\": \"demo.tsum\"}}}");
        assertThat(sent.statusCode()).isEqualTo(202);
        JsonNode result = json(get("/api/tasks/" + json(sent.body()).path("id").asString() + "?wait=20").body());
        assertThat(result.path("result").asInt()).isEqualTo(6);
    }

    @Test
    void aBadWorkflowIsAProblemNamingWhere() throws Exception {
        HttpResponse<String> sent = post("{\"chain\": [{\"task\": \"demo.add\"}, {\"task\": \"demo.add\", \"args\": 3}]}");
        assertThat(sent.statusCode()).isEqualTo(400);
        assertThat(sent.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(sent.body()).path("field").asString()).isEqualTo("chain[1].args");

        HttpResponse<String> unknown = post("{\"loop\": []}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown.body()).path("field").asString()).isEqualTo("loop");

        HttpResponse<String> twoGroups = post("{\"chain\": [{\"group\": [{\"task\": \"demo.add\"}]}, "
                + "{\"group\": [{\"task\": \"demo.add\"}]}]}");
        assertThat(twoGroups.statusCode()).isEqualTo(400);
        assertThat(json(twoGroups.body()).path("detail").asString()).contains("a group must be followed by a task");
    }

    @Test
    void documentsTheEndpoints() throws Exception {
        JsonNode docs = json(get("/v3/api-docs").body());
        JsonNode post = docs.path("paths").path("/api/workflows").path("post");
        assertThat(post.path("responses").propertyNames()).contains("202", "400", "413", "503");
        assertThat(post.path("requestBody").toString()).contains("chord");
        assertThat(post.path("responses").path("400").toString()).contains("ApiProblem");
        JsonNode group = docs.path("paths").path("/api/groups/{id}").path("get");
        assertThat(group.path("responses").propertyNames()).contains("200", "404");
        assertThat(docs.path("components").path("schemas").path("GroupStatus").path("properties").propertyNames())
                .contains("id", "total", "done", "failed", "state", "results");
    }

    @Test
    void anUnknownGroupIsNotFound() throws Exception {
        HttpResponse<String> answer = get("/api/groups/no-such-group");
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
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
