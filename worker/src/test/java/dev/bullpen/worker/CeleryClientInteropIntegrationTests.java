package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The wire format is Celery's: a real Python Celery 5 client (Debian's python3-celery) calls Bullpen
 * tasks and reads what they did from the Redis result backend, as Python values and exceptions:
 * {@code demo.add(2, 3)} is 5; arguments, kwargs and results of every JSON type come back as sent; a
 * Java exception is raised by {@code get()} with its type name, message and traceback; an unknown
 * name raises Celery's own {@code NotRegistered}; {@code expires} revokes; {@code countdown} and
 * aware and naive {@code eta} are honoured, never early. The calls are in
 * {@code interop/celery_client_calls.py}.
 */
@NeedsPython
@SpringBootTest(classes = {WorkerApplication.class, CeleryClientInteropIntegrationTests.Config.class},
        properties = "server.port=0")
class CeleryClientInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("interop");
    static final Set<String> taskIds = ConcurrentHashMap.newKeySet();
    static Path calls;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        // Celery 5.2 has no global_keyprefix: use its plain keys, and delete the one this test makes.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @Test
    void aPythonCeleryClientCallsABullpenTask() throws Exception {
        Path script = PythonCelery.script("celery_send_add.py");
        String redis = PythonCelery.redisUrl(services);

        String output = PythonCelery.run(script.toString(), services.amqpUri().toString(), redis, QUEUE);

        String[] idAndResult = output.strip().split(" ");
        taskIds.add(idAndResult[0]);
        assertThat(idAndResult[1]).isEqualTo("5");
    }

    @Test
    void argumentsKwargsAndResultsOfEveryJsonTypeComeBackToPythonAsSent() throws Exception {
        JsonNode out = call("json-types");

        assertThat(out.path("same").asBoolean()).as("sent and got, as JSON text: %s", out).isTrue();
        assertThat(names(out.path("arg_types"))).containsExactly("int", "int", "int", "int", "int", "float", "float",
                "float", "float", "str", "str", "bool", "bool", "NoneType", "list", "list", "dict", "dict", "dict");
        assertThat(out.path("got").path("args").get(4).bigIntegerValue()).isEqualTo(new BigInteger("18446744073709551617"));
        assertThat(out.path("got").path("args").get(9).asString()).isEqualTo("h\u00e9llo \"w\u00f6rld\" \u2603 \uD83D\uDE00");
        assertThat(out.path("kwarg_types").toString())
                .isEqualTo("{\"k\":\"list\",\"none\":\"NoneType\",\"caf\u00e9\":\"str\",\"nested\":\"dict\"}");
    }

    @Test
    void aJavaExceptionIsRaisedInPythonWithItsTypeNameMessageAndTraceback() throws Exception {
        JsonNode out = call("failure");

        assertThat(out.path("state").asString()).as("%s", out).isEqualTo("FAILURE");
        assertThat(out.path("type").asString()).isEqualTo("IllegalStateException");
        // No Python module is java.lang: Celery makes a class of that name, an Exception, in celery.exceptions.
        assertThat(out.path("module").asString()).isEqualTo("celery.exceptions");
        assertThat(out.path("is_exception").asBoolean()).isTrue();
        assertThat(names(out.path("args"))).containsExactly("boom: caf\u00e9 \u2603 \"quoted\"");
        assertThat(out.path("str").asString()).isEqualTo("boom: caf\u00e9 \u2603 \"quoted\"");
        assertThat(out.path("traceback").asString())
                .startsWith("java.lang.IllegalStateException: boom: caf\u00e9 \u2603 \"quoted\"")
                .contains("at dev.bullpen.worker.demo.DemoTasks.fail(");
    }

    @Test
    void anUnknownTaskNameRaisesCelerysNotRegisteredInPython() throws Exception {
        JsonNode out = call("not-registered");

        assertThat(out.path("state").asString()).as("%s", out).isEqualTo("FAILURE");
        assertThat(out.path("type").asString()).isEqualTo("NotRegistered");
        assertThat(out.path("module").asString()).isEqualTo("celery.exceptions");
        assertThat(out.path("is_not_registered").asBoolean()).as("Celery's own class").isTrue();
        assertThat(names(out.path("args"))).containsExactly("interop.no_such_task");
    }

    @Test
    void aTaskPastItsExpiresFromPythonIsRevokedAsPythonSeesIt() throws Exception {
        JsonNode out = call("expires");

        assertThat(out.path("state").asString()).as("%s", out).isEqualTo("REVOKED");
        assertThat(out.path("type").asString()).isEqualTo("TaskRevokedError");
        assertThat(out.path("result").asString()).isEqualTo("TaskRevokedError('expired')");
    }

    @Test
    void countdownAndAwareAndNaiveEtasFromPythonAreHonouredNeverEarly() throws Exception {
        JsonNode out = call("eta");

        List<String> hows = new ArrayList<>();
        for (JsonNode run : out.path("runs")) {
            String how = run.path("how").asString();
            hows.add(how);
            Instant meant = OffsetDateTime.parse(run.path("eta").asString()).toInstant();
            Instant ranAt = Instant.parse(run.path("result").path("ran_at").asString());
            Instant eta = OffsetDateTime.parse(run.path("result").path("eta").asString()).toInstant();
            assertThat(ranAt).as("%s: ran at %s, meant for %s (the task saw eta %s)", how, ranAt, meant, eta)
                    .isAfterOrEqualTo(meant);
            if (!how.equals("countdown")) {
                // Celery sends microseconds: the instant the worker read is the one Python meant, offset or not.
                assertThat(eta).as(how).isEqualTo(meant);
            }
        }
        assertThat(hows).containsExactly("countdown", "aware", "naive");
    }

    @AfterAll
    static void deleteResults() {
        try (var redis = services.redisConnectionFactory().getConnection()) {
            for (String id : taskIds) {
                redis.keyCommands().del(("celery-task-meta-" + id).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Runs one command of {@code celery_client_calls.py}; its last line is JSON. */
    private static JsonNode call(String command) throws Exception {
        synchronized (CeleryClientInteropIntegrationTests.class) {
            if (calls == null) {
                calls = PythonCelery.script("celery_client_calls.py");
            }
        }
        String redis = PythonCelery.redisUrl(services);
        JsonNode out = CeleryJson.mapper().readTree(PythonCelery.lastLine(
                PythonCelery.run(calls.toString(), command, services.amqpUri().toString(), redis, QUEUE)));
        if (out.has("id")) {
            taskIds.add(out.get("id").asString());
        }
        out.path("runs").forEach(run -> taskIds.add(run.path("id").asString()));
        return out;
    }

    private static List<String> names(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }

    @TestConfiguration
    static class Config {

        @Bean
        WhenTask whenTask() {
            return new WhenTask();
        }
    }

    static class WhenTask {

        /** When it ran, by this JVM's clock, and the eta it was given, both to the nanosecond the clock has. */
        @Task("interop.when")
        Map<String, @Nullable String> when(TaskContext context) {
            Map<String, @Nullable String> out = new HashMap<>();
            out.put("ran_at", Instant.now().toString());
            out.put("eta", context.eta() == null ? null : context.eta().toString());
            return out;
        }
    }
}
