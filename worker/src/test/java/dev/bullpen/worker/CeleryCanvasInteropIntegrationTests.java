package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.client.GroupHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.Workflow;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Canvas built by a real Python Celery 5.2 client (Debian's python3-celery) runs on a Bullpen
 * worker: chain, link, link_error, group (read back as a GroupResult) and chord, with Celery's Redis
 * chord bookkeeping, and a chord whose header fails gives Python a prompt ChordError. Python also
 * restores a group the Java client saved.
 */
@NeedsPython
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CeleryCanvasInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("canvas-interop");
    static Path script;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        // Links and chain steps go where the Python client sends its tasks.
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        // Celery 5.2 has no global_keyprefix: use its plain keys.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @BeforeAll
    static void copyScript() throws Exception {
        script = PythonCelery.script("celery_canvas.py");
    }

    @Autowired
    TaskClient client;

    static JsonNode run(String... scenario) throws Exception {
        String redis = PythonCelery.redisUrl(services);
        List<String> args = new ArrayList<>(List.of(script.toString(), services.amqpUri().toString(), redis, QUEUE));
        args.addAll(List.of(scenario));
        String output = PythonCelery.run(args.toArray(String[]::new));
        return CeleryJson.mapper().readTree(PythonCelery.lastLine(output));
    }

    @Test
    void aChainFromPythonPassesEachResultOn() throws Exception {
        JsonNode out = run("chain");
        assertThat(out.path("result").asInt()).isEqualTo(10);
        assertThat(out.path("parent").asInt()).isEqualTo(6);
    }

    @Test
    void aChainEndingInAGroupSendsTheGroupTheResult() throws Exception {
        assertThat(run("chain_into_group").path("result").toString()).isEqualTo("[20,200]");
    }

    @Test
    void aGroupFollowedByATaskInAChainIsAChord() throws Exception {
        assertThat(run("group_into_chain").path("result").asInt()).isEqualTo((2 + 4) * 10);
    }

    @Test
    void aLinkGetsTheResult() throws Exception {
        JsonNode out = run("link");
        assertThat(out.path("result").asInt()).isEqualTo(5);
        assertThat(out.path("callback").asInt()).isEqualTo(50);
    }

    @Test
    void aLinkErrorGetsTheFailedTaskId() throws Exception {
        JsonNode out = run("link_error");
        assertThat(out.path("state").asString()).isEqualTo("FAILURE");
        assertThat(out.path("errback_args").get(0).asString()).isEqualTo(out.path("failed").asString());
    }

    @Test
    void aGroupReadsBackAsAGroupResultInOrder() throws Exception {
        JsonNode out = run("group");
        assertThat(out.path("results").toString()).isEqualTo("[0,2,4,6,8,10,12,14,16,18]");
        assertThat(out.path("same_members").asBoolean()).isTrue();
        assertThat(out.path("restored")).isEqualTo(out.path("results"));
        assertThat(out.path("completed").asInt()).isEqualTo(10);
    }

    @Test
    void pythonRestoresAGroupTheJavaClientSaved() throws Exception {
        GroupHandle group = client.apply(Workflow.group(Workflow.task("demo.add", 1, 1), Workflow.task("demo.mul", 3, 3)));
        JsonNode out = run("restore", group.id());
        assertThat(out.path("results").toString()).isEqualTo("[2,9]");
        assertThat(out.path("ids").get(1).asString()).isEqualTo(group.members().get(1).id());
    }

    @Test
    void aChordSendsTheBodyTheHeaderResults() throws Exception {
        assertThat(run("chord").path("result").asInt()).isEqualTo(0 + 2 + 4 + 6 + 8);
    }

    @Test
    void aFailingHeaderTaskFailsTheBodyWithoutWaitingForTheRest() throws Exception {
        JsonNode out = run("chord_failure");
        assertThat(out.path("error").asString()).isEqualTo("ChordError");
        assertThat(out.path("state").asString()).isEqualTo("FAILURE");
        assertThat(out.path("message").asString())
                .contains("Dependency " + out.path("failed_member").asString() + " raised")
                .contains("member broke");
        assertThat(out.path("sleeper_ready").asBoolean()).as("the 10 s header task still ran").isFalse();
    }
}
