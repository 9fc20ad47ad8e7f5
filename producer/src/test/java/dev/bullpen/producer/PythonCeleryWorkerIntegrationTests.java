package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.WireTime;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCeleryWorker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Bullpen calls tasks that only a real Python Celery 5 worker (Debian's python3-celery, prefork pool)
 * has, from HTTP and from the Java {@link TaskClient}: values of every JSON type, kwargs and Python
 * exceptions come back through Celery's Redis results; countdown and time limits set in Bullpen
 * are honoured by the Python worker, and its retries read RETRY, then the result, from Java;
 * {@code GET /api/workers} lists it from its Celery heartbeats. The tasks are in {@code interop/bullpen_pytasks.py}.
 */
@NeedsPython
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PythonCeleryWorkerIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    /** Python tasks only: a Python worker rejects a task it does not know, so Java tasks live elsewhere. */
    static final String QUEUE = services.queue("python");
    static final Duration WAIT = Duration.ofSeconds(20);

    /** What {@code py.json_types} returns, as Python's json.dumps writes it. */
    static final String JSON_TYPES = """
            {"int": 42, "negative": -7, "big": 9007199254740993, "float": 3.25, "exp": 1.5e-10,
             "str": "h\\u00e9llo \\"w\\u00f6rld\\" \\u2603", "empty_str": "", "true": true, "false": false, "none": null,
             "list": [1, "two", 3.0, null, false], "empty_list": [], "dict": {"a": 1, "b": [2]}, "empty_dict": {},
             "nested": {"deep": [{"x": [1, [2, [3, {"y": null}]]]}]}}""";

    @RegisterExtension
    static final PythonCeleryWorker python = PythonCeleryWorker.on(services, QUEUE).build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // The class's own key prefix: the Python worker stores under it too (Celery's global_keyprefix).
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> services.queue("java"));
    }

    @LocalServerPort
    int port;

    @Autowired
    TaskClient client;

    @Test
    void everyJsonTypeComesBackOverHttp() {
        JsonNode status = submitAndWait("{\"task\": \"py.json_types\", \"queue\": \"" + QUEUE + "\"}");

        assertThat(status.path("state").asString()).as(python.log()).isEqualTo("SUCCESS");
        assertThat(status.get("result")).isEqualTo(json(JSON_TYPES));
        assertThat(status.get("result").get("int").isIntegralNumber()).isTrue();
        assertThat(status.get("result").get("float").isFloatingPointNumber()).isTrue();
        assertThat(status.get("error").isNull()).isTrue();
        // result_extended: the Python worker says it ran the task.
        assertThat(status.path("worker").asString()).startsWith(python.nodeNamePrefix());
        assertThat(status.path("name").asString()).isEqualTo("py.json_types");
        assertThat(status.path("queue").asString()).isEqualTo(QUEUE);
    }

    @Test
    void argumentsOfEveryJsonTypeReachPythonAsPythonTypes() {
        String args = "[1, 2.5, \"s\", true, null, [1, [2]], {\"a\": {\"b\": null}}]";
        JsonNode status = submitAndWait("{\"task\": \"py.echo\", \"queue\": \"" + QUEUE + "\", \"args\": " + args
                + ", \"kwargs\": {\"k\": [1.5, false]}}");

        JsonNode result = status.get("result");
        assertThat(result.get("args")).as(python.log()).isEqualTo(json(args));
        assertThat(result.get("kwargs")).isEqualTo(json("{\"k\": [1.5, false]}"));
        assertThat(result.get("types")).isEqualTo(json("[\"int\", \"float\", \"str\", \"bool\", \"NoneType\", \"list\", \"dict\"]"));
    }

    @Test
    void kwargsBindToPythonParametersByName() {
        JsonNode mixed = submitAndWait("{\"task\": \"py.greet\", \"queue\": \"" + QUEUE
                + "\", \"args\": [\"Ada\"], \"kwargs\": {\"punctuation\": \"?\"}}");
        JsonNode byName = submitAndWait("{\"task\": \"py.greet\", \"queue\": \"" + QUEUE
                + "\", \"kwargs\": {\"name\": \"Bob\", \"greeting\": \"Hi\"}}");

        assertThat(mixed.path("result").asString()).as(python.log()).isEqualTo("Hello, Ada?");
        assertThat(byName.path("result").asString()).isEqualTo("Hi, Bob!");
    }

    @Test
    void aPythonExceptionReadsAsFailureWithTypeMessageAndTraceback() {
        JsonNode status = submitAndWait("{\"task\": \"py.fail\", \"queue\": \"" + QUEUE + "\"}");

        assertThat(status.path("state").asString()).as(python.log()).isEqualTo("FAILURE");
        assertThat(status.get("result").isNull()).isTrue();
        JsonNode error = status.get("error");
        assertThat(error.path("type").asString()).isEqualTo("ValueError");
        assertThat(error.path("message").asString()).isEqualTo("('bad', 42)");
        assertThat(error.path("traceback").asString())
                .startsWith("Traceback (most recent call last):")
                .contains("bullpen_pytasks.py", "raise ValueError(\"bad\", 42)")
                .endsWith("ValueError: ('bad', 42)\n");
    }

    @Test
    void aJavaTaskOnThePythonQueueFailsNotRegistered() {
        JsonNode status = submitAndWait("{\"task\": \"demo.add\", \"queue\": \"" + QUEUE + "\", \"args\": [2, 3]}");

        assertThat(status.path("state").asString()).as(python.log()).isEqualTo("FAILURE");
        assertThat(status.get("error").path("type").asString()).isEqualTo("NotRegistered");
        assertThat(status.get("error").path("message").asString()).contains("demo.add");
    }

    @Test
    void waitHoldsTheRequestUntilThePythonResultIsStored() {
        String id = submit("{\"task\": \"py.sleep\", \"queue\": \"" + QUEUE + "\", \"args\": [2]}");

        // One request: it answers only once the 2 s task is done, within its 10 s wait.
        JsonNode status = ProducerHttp.json(http().get("/api/tasks/" + id + "?wait=10"));

        assertThat(status.path("state").asString()).as(python.log()).isEqualTo("SUCCESS");
        assertThat(status.path("result").intValue()).isEqualTo(2);
    }

    @Test
    void aCountdownIsHonouredByThePythonWorkerAsUtc() {
        Instant before = Instant.now();
        JsonNode status = submitAndWait("{\"task\": \"py.when\", \"queue\": \"" + QUEUE + "\", \"countdown\": 3}");

        assertThat(status.path("state").asString()).as(python.log()).isEqualTo("SUCCESS");
        JsonNode result = status.get("result");
        Instant eta = WireTime.parse(result.path("eta").asString()).toInstant();
        Instant ranAt = Instant.EPOCH.plusNanos((long) (result.path("ran_at").doubleValue() * 1e9));
        assertThat(eta).isAfterOrEqualTo(before.plusSeconds(3));
        // The worker's clock and timezone are Asia/Kolkata (UTC+5:30): an eta read as local time would run at once.
        assertThat(ranAt).as("ran at %s, eta %s; worker log:%n%s", ranAt, eta, python.log()).isAfterOrEqualTo(eta);
    }

    @Test
    void taskClientGetReturnsThePythonValue() {
        JsonNode types = client.send("py.json_types", List.of(), Map.of(), TaskOptions.defaults().queue(QUEUE)).get(WAIT);
        String greeting = client.send("py.greet", List.of("Ada"), Map.of("greeting", "Hey"),
                TaskOptions.defaults().queue(QUEUE)).get(WAIT, String.class);

        assertThat(types).isEqualTo(json(JSON_TYPES));
        assertThat(greeting).isEqualTo("Hey, Ada!");
    }

    @Test
    void aPythonExceptionRaisesTaskFailedExceptionInJava() {
        var handle = client.send("py.fail", List.of(), Map.of(), TaskOptions.defaults().queue(QUEUE));

        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));

        assertThat(failed).as(python.log()).isNotNull();
        assertThat(failed.state()).isEqualTo(TaskState.FAILURE);
        assertThat(failed.remoteType()).isEqualTo("ValueError");
        assertThat(failed.error().module()).isEqualTo("builtins");
        assertThat(failed.error().arguments()).containsExactly(json("\"bad\""), json("42"));
        assertThat(failed.remoteMessage()).isEqualTo("('bad', 42)");
        assertThat(failed.remoteTraceback()).contains("raise ValueError(\"bad\", 42)").endsWith("ValueError: ('bad', 42)\n");
        assertThat(failed).hasMessage("task " + handle.id() + " FAILURE: ValueError: ('bad', 42)");
    }

    @Test
    void aHardTimeLimitFromJavaStopsThePythonTask() {
        // timelimit goes out as [hard, soft] = [1, null]; read the other way round it would be a soft limit.
        var handle = client.send("py.sleep", List.of(5), Map.of(),
                TaskOptions.defaults().queue(QUEUE).timeLimit(Duration.ofSeconds(1)));

        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));

        assertThat(failed).as(python.log()).isNotNull();
        assertThat(failed.remoteType()).isEqualTo("TimeLimitExceeded");
        assertThat(failed.error().module()).isEqualTo("billiard.exceptions");
        // Whole seconds go out as an integer, as from Python: Celery raises TimeLimitExceeded(1).
        assertThat(failed.remoteMessage()).isEqualTo("1");
    }

    @Test
    void aSoftTimeLimitFromJavaReachesThePythonTask() {
        // [hard, soft] = [10, 1]; read the other way round the hard limit of 1 s would kill the task.
        var handle = client.send("py.sleep", List.of(5), Map.of(),
                TaskOptions.defaults().queue(QUEUE).timeLimit(Duration.ofSeconds(10)).softTimeLimit(Duration.ofSeconds(1)));

        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));

        assertThat(failed).as(python.log()).isNotNull();
        assertThat(failed.remoteType()).isEqualTo("SoftTimeLimitExceeded");
        assertThat(failed.remoteTraceback()).contains("time.sleep(seconds)");
    }

    @Test
    void aPythonRetryReadsRetryThenItsResultInJava() {
        var handle = client.send("py.retry_once", List.of(), Map.of(), TaskOptions.defaults().queue(QUEUE));

        await().atMost(WAIT).until(() -> handle.state() == TaskState.RETRY);
        TaskResult retry = handle.result();
        assertThat(retry.error()).as(python.log()).hasValueSatisfying(error -> {
            assertThat(error.type()).isEqualTo("OSError");
            assertThat(error.module()).isEqualTo("builtins");
        });
        assertThat(retry.meta().retries()).as("the attempt that stored RETRY").isEqualTo(0);

        assertThat(handle.get(WAIT, Integer.class)).isEqualTo(1);
        assertThat(handle.result().meta().retries()).isEqualTo(1);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void thePythonWorkerIsListedByApiWorkersFromItsHeartbeats() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode workers = ProducerHttp.json(http().get("/api/workers"));
            JsonNode listed = workers.valueStream()
                    .filter(w -> w.path("hostname").asString().startsWith(python.nodeNamePrefix())).findFirst().orElse(null);
            assertThat(listed).as("the Python worker in %s", workers).isNotNull();
            assertThat(listed.path("software").asString()).isEqualTo("py-celery");
            assertThat(listed.path("pid").asLong()).isPositive();
        });
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }

    private String submit(String body) {
        HttpResponse<String> response = http().postJson(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return ProducerHttp.json(response).get("id").stringValue();
    }

    private JsonNode submitAndWait(String body) {
        return ProducerHttp.json(http().get("/api/tasks/" + submit(body) + "?wait=15"));
    }

    private static JsonNode json(String text) {
        return CeleryJson.mapper().readTree(text);
    }
}
