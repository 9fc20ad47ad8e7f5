package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.BroadcastHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCeleryWorker;
import dev.bullpen.worker.test.InProcessWorker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP side of direct and broadcast tasks, with three real Bullpen workers: {@code GET /api/workers}
 * names each one's direct queue; {@code POST /api/tasks} with a worker runs there, and an unknown
 * worker is a 404 problem; {@code POST /api/tasks/broadcast} runs once on each live worker and
 * {@code GET /api/tasks/broadcast/{id}} reads each one's result. And a Python Celery worker started
 * with {@code worker_direct=True} shares Celery's {@code C.dq2} with them: a broadcast reaches it too,
 * while one without {@code worker_direct} is reported as a failed copy. Broadcasts are limited to this
 * class's workers by a pattern: other tests' workers share the broker.
 */
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DirectAndBroadcastEndpointsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("work");
    static final String A = services.workerName("a");
    static final String B = services.workerName("b");
    static final String C = services.workerName("c");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final List<ConfigurableApplicationContext> workers = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.monitor.worker-expiry", () -> "4s");
    }

    @LocalServerPort
    int port;

    @Autowired
    TaskClient client;

    @BeforeAll
    static void startWorkers() {
        for (String name : List.of(A, B, C)) {
            workers.add(startWorker(name));
        }
    }

    @AfterAll
    static void stopWorkers() {
        workers.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void workersAreListedWithTheirDirectQueue() {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode listed = ProducerHttp.json(http().get("/api/workers"));
            for (String name : List.of(A, B, C)) {
                JsonNode worker = find(listed, name);
                assertThat(worker).as("%s in %s", name, listed).isNotNull();
                assertThat(worker.path("direct_queue").asString()).isEqualTo(name + ".dq2");
            }
        });
    }

    @Test
    void aTaskWithAWorkerRunsOnThatWorker() {
        awaitListed(B);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> sent = http().postJson("{\"task\": \"demo.whoami\", \"worker\": \"" + B + "\"}");
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
            ids.add(ProducerHttp.json(sent).path("id").asString());
        }

        for (String id : ids) {
            JsonNode done = ProducerHttp.json(http().get("/api/tasks/" + id + "?wait=15"));
            assertThat(done.path("state").asString()).as("%s", done).isEqualTo("SUCCESS");
            assertThat(done.path("result").asString()).isEqualTo(B);
        }
    }

    @Test
    void anUnknownWorkerIsA404ProblemAndNothingIsSent() {
        String nobody = "nobody@" + services.namespace();
        HttpResponse<String> refused = http().postJson("{\"task\": \"demo.whoami\", \"worker\": \"" + nobody + "\"}");

        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(ProducerHttp.contentType(refused)).startsWith("application/problem+json");
        JsonNode problem = ProducerHttp.json(refused);
        assertThat(problem.path("title").asString()).isEqualTo("No such live worker");
        assertThat(problem.path("field").asString()).isEqualTo("worker");
        assertThat(problem.path("detail").asString()).contains(nobody);

        HttpResponse<String> both = http().postJson("{\"task\": \"demo.whoami\", \"worker\": \"" + A + "\", \"queue\": \"q\"}");
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(ProducerHttp.json(both).path("field").asString()).isEqualTo("worker");
    }

    @Test
    void aBroadcastRunsOnceOnEveryLiveWorkerAndReadsEachResult() {
        HttpResponse<String> sent = broadcast("{\"task\": \"demo.whoami\", \"pattern\": \"" + services.workerPattern()
                + "\", \"timeout\": 3}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        JsonNode accepted = ProducerHttp.json(sent);
        String id = accepted.path("id").asString();
        assertThat(sent.headers().firstValue("Location")).hasValue("/api/tasks/broadcast/" + id);
        assertThat(names(accepted.path("tasks"))).containsExactly(A, B, C);
        assertThat(accepted.path("failed").isEmpty()).isTrue();

        JsonNode status = ProducerHttp.json(http().get("/api/tasks/broadcast/" + id + "?wait=15"));
        assertThat(names(status.path("workers"))).containsExactly(A, B, C);
        for (String name : List.of(A, B, C)) {
            JsonNode copy = status.path("workers").path(name);
            assertThat(copy.path("state").asString()).as("%s", status).isEqualTo("SUCCESS");
            assertThat(copy.path("result").asString()).isEqualTo(name);
            assertThat(copy.path("id").asString()).isEqualTo(accepted.path("tasks").path(name).asString());
        }
    }

    @Test
    void aBroadcastNobodyAnswersIsA404AndAnUnknownBroadcastToo() {
        HttpResponse<String> nobody = broadcast("{\"task\": \"demo.whoami\", \"pattern\": \"nobody-*@"
                + services.namespace() + "\"}");
        assertThat(nobody.statusCode()).as(nobody.body()).isEqualTo(404);
        assertThat(ProducerHttp.json(nobody).path("field").asString()).isEqualTo("pattern");

        HttpResponse<String> withQueue = broadcast("{\"task\": \"demo.whoami\", \"queue\": \"q\"}");
        assertThat(withQueue.statusCode()).isEqualTo(400);

        HttpResponse<String> unknown = http().get("/api/tasks/broadcast/no-such-broadcast");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(ProducerHttp.contentType(unknown)).startsWith("application/problem+json");
    }

    @Test
    @NeedsPython
    void aPythonCeleryWorkerWithWorkerDirectIsReachedAndOneWithoutIsAFailedCopy() throws Exception {
        try (PythonCeleryWorker direct = PythonCeleryWorker.on(services, QUEUE).workerDirect().start();
             PythonCeleryWorker plain = PythonCeleryWorker.start(services, QUEUE)) {
            String directPattern = direct.nodeNamePrefix() + "*";
            String directName = await().atMost(WAIT).until(() -> client.control().liveWorkers(Duration.ofSeconds(3), directPattern),
                    found -> found.size() == 1).getFirst();
            String plainName = await().atMost(WAIT).until(() -> client.control().liveWorkers(Duration.ofSeconds(3),
                    plain.nodeNamePrefix() + "*"), found -> found.size() == 1).getFirst();
            try {
                // Celery's worker declared C.dq2 and its queue as Bullpen does (else one of them would have failed).
                assertThat(client.send("demo.whoami", List.of(), Map.of(), TaskOptions.defaults().worker(directName))
                        .get(WAIT, String.class)).isEqualTo(directName);

                BroadcastHandle broadcast = client.control().broadcast("demo.whoami", List.of(), Map.of(), TaskOptions.defaults(),
                        List.of(A, directName, plainName));
                assertThat(broadcast.handles()).containsOnlyKeys(A, directName);
                assertThat(broadcast.failures()).containsOnlyKeys(plainName);
                assertThat(broadcast.failures().get(plainName)).hasMessageContaining(plainName + ".dq2");
                Map<String, TaskResult> results = broadcast.await(WAIT);
                assertThat(results.get(A).result().asString()).isEqualTo(A);
                assertThat(results.get(directName).state()).as("%s", direct.log()).isEqualTo(TaskState.SUCCESS);
                assertThat(results.get(directName).result().asString()).isEqualTo(directName);
            } finally {
                services.deleteQueue(directName + ".dq2");
            }
        }
    }

    @Test
    void theEndpointsAreDocumented() {
        // springdoc builds the document on the first request: on a busy machine that takes a while.
        JsonNode docs = ProducerHttp.json(http().send(http().request("/v3/api-docs").timeout(Duration.ofSeconds(90))
                .GET().build()));

        JsonNode post = docs.path("paths").path("/api/tasks/broadcast").path("post");
        assertThat(post.path("responses").propertyNames()).contains("202", "400", "404", "503");
        assertThat(docs.path("paths").path("/api/tasks/broadcast/{id}").path("get").path("parameters").toString())
                .contains("wait");
        assertThat(docs.path("paths").path("/api/tasks").path("post").path("responses").propertyNames()).contains("404");
        JsonNode schemas = docs.path("components").path("schemas");
        assertThat(schemas.path("SubmitTaskRequest").path("properties").propertyNames()).contains("worker");
        assertThat(schemas.path("BroadcastAccepted").path("properties").propertyNames()).contains("id", "tasks", "failed");
        assertThat(schemas.path("BroadcastStatus").path("properties").propertyNames()).contains("id", "workers");
        assertThat(schemas.path("WorkerInfo").path("properties").propertyNames()).contains("hostname", "direct_queue");
    }

    private void awaitListed(String name) {
        await().atMost(WAIT).until(() -> find(ProducerHttp.json(http().get("/api/workers")), name) != null);
    }

    private HttpResponse<String> broadcast(String json) {
        return http().send(http().request("/api/tasks/broadcast").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }

    private static List<String> names(JsonNode object) {
        return new ArrayList<>(object.propertyNames());
    }

    private static JsonNode find(JsonNode workers, String hostname) {
        for (JsonNode w : workers) {
            if (w.path("hostname").asString().equals(hostname)) {
                return w;
            }
        }
        return null;
    }

    private static ConfigurableApplicationContext startWorker(String name) {
        return InProcessWorker.on(services).withApplicationDefaults().queues(QUEUE).name(name)
                .property("bullpen.worker.concurrency", "4").property("bullpen.worker.heartbeat-interval", "1s").run();
    }
}
