package dev.bullpen.producer;

import static dev.bullpen.client.Workflow.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.Workflow;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.test.PythonCeleryWorker;
import dev.bullpen.worker.test.InProcessWorker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Workflows whose steps alternate between a Bullpen worker (demo tasks, queue J) and a real Python
 * Celery worker (py tasks, queue P), started from Java, over HTTP and from a Python Celery client.
 * Each step's stored result names the worker that ran it and the queue it came from.
 */
@NeedsPython
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MixedWorkflowIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String JAVA = services.queue("mixed-java");
    static final String PYTHON = services.queue("mixed-python");
    static final String JAVA_WORKER = "java-" + services.namespace() + "@test";
    static final Duration WAIT = Duration.ofSeconds(30);

    /** (1 + 2) on Bullpen, + 4 on Python, * 10 on Bullpen, + 5 on Python. */
    static final int CHAIN_RESULT = ((1 + 2) + 4) * 10 + 5;
    static final List<String> CHAIN_TASKS = List.of("demo.add", "py.add", "demo.mul", "py.add");
    static final List<String> CHAIN_QUEUES = List.of(JAVA, PYTHON, JAVA, PYTHON);

    @RegisterExtension
    static final InProcessWorker bullpen = InProcessWorker.on(services).withApplicationDefaults().queues(JAVA)
            .name(JAVA_WORKER).property("bullpen.client.default-queue", JAVA).build();

    @RegisterExtension
    static final PythonCeleryWorker python = PythonCeleryWorker.on(services, PYTHON).build();

    static Path pythonDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> JAVA);
    }

    @BeforeAll
    static void copyTheClientScript() throws Exception {
        pythonDir = Files.createTempDirectory("bullpen-mixed");
        PythonCelery.copyModule(pythonDir, "mixed_canvas.py");
    }

    @Autowired
    TaskClient client;

    @LocalServerPort
    int port;

    @Test
    void aJavaChainRunsEachStepOnTheWorkerOfItsQueue() {
        TaskHandle last = client.apply(Workflow.chain(task("demo.add", 1, 2).queue(JAVA), task("py.add", 4).queue(PYTHON),
                task("demo.mul", 10).queue(JAVA), task("py.add", 5).queue(PYTHON)));
        assertThat(last.get(WAIT).asInt()).isEqualTo(CHAIN_RESULT);
        assertRanAlternately(last.id());
    }

    @Test
    void anHttpChainRunsEachStepOnTheWorkerOfItsQueue() throws Exception {
        String chain = "{\"chain\": [{\"task\": \"demo.add\", \"args\": [1, 2], \"queue\": \"" + JAVA + "\"}, "
                + "{\"task\": \"py.add\", \"args\": [4], \"queue\": \"" + PYTHON + "\"}, "
                + "{\"task\": \"demo.mul\", \"args\": [10], \"queue\": \"" + JAVA + "\"}, "
                + "{\"task\": \"py.add\", \"args\": [5], \"queue\": \"" + PYTHON + "\"}]}";
        HttpResponse<String> accepted = new ProducerHttp(port).postJson("/api/workflows", chain);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String lastId = CeleryJson.mapper().readTree(accepted.body()).path("id").asString();
        assertThat(client.handle(lastId).get(WAIT).asInt()).isEqualTo(CHAIN_RESULT);
        assertRanAlternately(lastId);
    }

    @Test
    void aPythonChainRunsEachStepOnTheWorkerOfItsQueue() throws Exception {
        JsonNode out = runPythonClient("chain");
        assertThat(out.path("result").asInt()).isEqualTo(CHAIN_RESULT);
        assertRanAlternately(out.path("id").asString());
    }

    @Test
    void aJavaChordWithAMixedHeaderSendsTheBodyAllResults() {
        TaskHandle body = client.apply(Workflow.chord(List.of(task("demo.add", 1, 1).queue(JAVA),
                task("py.add", 2, 2).queue(PYTHON), task("demo.mul", 3, 3).queue(JAVA), task("py.add", 4, 4).queue(PYTHON)),
                task("demo.tsum").queue(JAVA)));
        assertThat(body.get(WAIT).asInt()).isEqualTo(2 + 4 + 9 + 8);
        assertThat(body.result().meta().worker()).isEqualTo(JAVA_WORKER);
    }

    @Test
    void aPythonWorkerCompletingTheHeaderSendsTheBodyToTheJavaQueue() {
        // The Python member sleeps, so the Python worker stores the last header result and sends the body.
        TaskHandle body = client.apply(Workflow.chord(List.of(task("demo.add", 1, 1).queue(JAVA),
                task("py.sleep", 1).queue(PYTHON)), task("demo.echo").queue(JAVA)));
        assertThat(body.get(WAIT).path("args").toString()).isEqualTo("[[2,1]]");
        assertThat(body.result().meta().worker()).isEqualTo(JAVA_WORKER);
        assertThat(body.result().meta().queue()).isEqualTo(JAVA);
    }

    @Test
    void aBullpenWorkerCompletingTheHeaderSendsTheBodyToTheJavaQueue() {
        TaskHandle body = client.apply(Workflow.chord(List.of(task("py.add", 1, 1).queue(PYTHON),
                task("demo.sleep", 1).queue(JAVA)), task("demo.echo").queue(JAVA)));
        assertThat(body.get(WAIT).path("args").toString()).isEqualTo("[[2,1.0]]");
        assertThat(body.result().meta().worker()).isEqualTo(JAVA_WORKER);
    }

    @Test
    void aPythonChordWithAMixedHeaderSendsTheBodyAllResults() throws Exception {
        JsonNode out = runPythonClient("chord");
        assertThat(out.path("result").asInt()).isEqualTo(2 + 4 + 9 + 8);
        assertThat(client.handle(out.path("id").asString()).result().meta().worker()).isEqualTo(JAVA_WORKER);
    }

    /** Walks the chain back from its last task: demo steps ran on Bullpen from J, py steps on Python from P. */
    private void assertRanAlternately(String lastId) {
        List<ResultMeta> steps = new ArrayList<>();
        String id = lastId;
        while (id != null && steps.size() < CHAIN_TASKS.size()) {
            ResultMeta meta = client.handle(id).result().meta();
            steps.addFirst(meta);
            id = meta.parentId();
        }
        assertThat(steps).extracting(ResultMeta::name).containsExactlyElementsOf(CHAIN_TASKS);
        assertThat(steps).extracting(ResultMeta::queue).containsExactlyElementsOf(CHAIN_QUEUES);
        assertThat(steps).extracting(ResultMeta::worker).satisfiesExactly(
                w -> assertThat(w).isEqualTo(JAVA_WORKER), w -> assertThat(w).startsWith(python.nodeNamePrefix()),
                w -> assertThat(w).isEqualTo(JAVA_WORKER), w -> assertThat(w).startsWith(python.nodeNamePrefix()));
    }

    private static JsonNode runPythonClient(String workflow) throws Exception {
        Map<String, String> env = new HashMap<>();
        PythonCelery.environment(env, services, pythonDir);
        String output = PythonCelery.client("mixed_canvas.py", JAVA, PYTHON, workflow).in(pythonDir).environment(env)
                .onFailureShow(() -> "\nworker log:\n" + python.log()).run();
        return CeleryJson.mapper().readTree(PythonCelery.lastLine(output));
    }
}
