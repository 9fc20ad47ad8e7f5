package dev.bullpen.worker;

import static dev.bullpen.client.Workflow.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.GroupHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.Workflow;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Chains, groups and chords sent with the Java API, run by a Bullpen worker against the real broker and Redis. */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class WorkflowIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("workflows");
    static final Duration WAIT = Duration.ofSeconds(45);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @Autowired
    TaskClient client;

    @Test
    void aChainOfTenPassesEachResultOn() {
        List<Workflow> steps = new ArrayList<>();
        steps.add(task("demo.add", 0, 1));
        for (int i = 0; i < 9; i++) {
            steps.add(task("demo.add", 1));
        }
        TaskHandle last = client.apply(Workflow.chain(steps));
        assertThat(last.get(WAIT, Integer.class)).isEqualTo(10);
        assertThat(last.result().meta().parentId()).as("each step names its parent").isNotNull();
    }

    @Test
    void anImmutableStepIgnoresItsParentsResult() {
        TaskHandle last = client.apply(Workflow.chain(task("demo.add", 1, 1), task("demo.add", 5, 5).immutable()));
        assertThat(last.get(WAIT, Integer.class)).isEqualTo(10);
    }

    @Test
    void aGroupOfAThousandGivesItsResultsInOrder() {
        GroupHandle group = client.apply(Workflow.group(IntStream.range(0, 1000).mapToObj(i -> task("demo.add", i, i)).toList()));
        List<JsonNode> results = group.get(WAIT);
        assertThat(results).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(results.get(i).asInt()).isEqualTo(2 * i);
        }
        assertThat(group.progress().done()).isEqualTo(1000);
        assertThat(group.progress().state()).isEqualTo(TaskState.SUCCESS);
        GroupHandle saved = client.group(group.id()).orElseThrow();
        assertThat(saved.members()).extracting(TaskHandle::id).isEqualTo(group.members().stream().map(TaskHandle::id).toList());
    }

    @Test
    void aChordOfAThousandSendsTheBodyAllResults() {
        java.util.Set<String> before = chordKeys();
        TaskHandle body = client.apply(Workflow.chord(IntStream.range(0, 1000).mapToObj(i -> task("demo.add", i, i)).toList(),
                task("demo.tsum")));
        assertThat(body.get(WAIT, Long.class)).isEqualTo(999_000L);
        // Other tests' chords may still wait (the failing one's sleeper): only this chord's keys must be gone.
        // The header task that sent the body deletes them once the broker confirmed it, maybe after the body ran.
        await().atMost(WAIT).untilAsserted(() -> assertThat(before)
                .as("the chord's .j .t .s keys are deleted once the body is sent").containsAll(chordKeys()));
    }

    /** The chord bookkeeping keys ({@code .j .t .s .f}) under this class's prefix now. */
    private static java.util.Set<String> chordKeys() {
        try (var redis = services.redisConnectionFactory().getConnection()) {
            var keys = redis.keyCommands().keys((services.redisPrefix() + "celery-taskset-meta-*.*").getBytes(StandardCharsets.UTF_8));
            java.util.Set<String> out = new java.util.HashSet<>();
            keys.forEach(k -> out.add(new String(k, StandardCharsets.UTF_8)));
            return out;
        }
    }

    @Test
    void chainsInAGroupRunSideBySide() {
        GroupHandle group = client.apply(Workflow.group(
                Workflow.chain(task("demo.add", 1, 1), task("demo.mul", 10)),
                Workflow.chain(task("demo.add", 2, 2), task("demo.mul", 10), task("demo.add", 1)),
                task("demo.add", 3, 3)));
        assertThat(group.get(WAIT)).extracting(JsonNode::asInt).containsExactly(20, 41, 6);
    }

    @Test
    void aGroupInAChainBecomesAChord() {
        TaskHandle last = client.apply(Workflow.chain(task("demo.add", 1, 1),
                Workflow.group(task("demo.mul", 10), task("demo.mul", 100)), task("demo.tsum"), task("demo.mul", 2)));
        assertThat(last.get(WAIT, Integer.class)).isEqualTo((20 + 200) * 2);
    }

    @Test
    void aFailingHeaderTaskFailsTheBodyAtOnceAndRunsItsErrback() {
        TaskHandle errback = client.handle(java.util.UUID.randomUUID().toString());
        Workflow.Step failing = task("demo.fail", "member broke");
        String failingId = java.util.UUID.randomUUID().toString();
        Workflow.Step sleeper = task("demo.sleep", 15);
        String sleeperId = java.util.UUID.randomUUID().toString();
        TaskHandle body = client.apply(Workflow.chord(List.of(task("demo.add", 1, 1),
                        new Workflow.Step(failing.signature().withOption("task_id", failingId)),
                        new Workflow.Step(sleeper.signature().withOption("task_id", sleeperId))),
                task("demo.tsum").onError(withId(task("demo.echo"), errback.id()))));

        assertThatThrownBy(() -> body.get(WAIT))
                .isInstanceOfSatisfying(TaskFailedException.class, ex -> {
                    assertThat(ex.error().type()).isEqualTo("ChordError");
                    assertThat(ex.error().message()).contains("Dependency " + failingId + " raised").contains("member broke");
                });
        assertThat(client.handle(sleeperId).state()).as("the body failed while the 15 s member still ran")
                .isNotEqualTo(TaskState.SUCCESS);
        JsonNode echoed = errback.get(WAIT);
        assertThat(echoed.path("args").get(0).asString()).as("the body's errback gets the body's id").isEqualTo(body.id());
    }

    @Test
    void aFailedChainStepFailsTheRestAndCallsTheErrback() {
        TaskHandle errback = client.handle(java.util.UUID.randomUUID().toString());
        TaskHandle last = client.apply(Workflow.chain(
                task("demo.fail", "first broke").onError(withId(task("demo.echo"), errback.id())),
                task("demo.add", 1), task("demo.add", 2)));
        assertThatThrownBy(() -> last.get(WAIT)).isInstanceOf(TaskFailedException.class).hasMessageContaining("first broke");
        assertThat(errback.get(WAIT).path("args").size()).isEqualTo(1);
    }

    @Test
    void aLinkGetsTheResultAndAnErrbackTheFailedId() {
        String callbackId = java.util.UUID.randomUUID().toString();
        TaskHandle first = client.apply(task("demo.add", 2, 3).then(withId(task("demo.mul", 10), callbackId)));
        assertThat(first.get(WAIT, Integer.class)).isEqualTo(5);
        assertThat(client.handle(callbackId).get(WAIT).asInt()).isEqualTo(50);

        String errbackId = java.util.UUID.randomUUID().toString();
        TaskHandle failed = client.apply(task("demo.fail", "no").onError(withId(task("demo.echo"), errbackId)));
        assertThat(client.handle(errbackId).get(WAIT).path("args").get(0).asString()).isEqualTo(failed.id());
    }

    @Test
    void aMonteCarloPiSweepAsAChord() {
        TaskHandle pi = client.apply(Workflow.chord(
                IntStream.range(0, 20).mapToObj(seed -> task("demo.pi_chunk", 50_000, seed)).toList(), task("demo.pi_combine")));
        JsonNode estimate = pi.get(WAIT);
        assertThat(estimate.path("samples").asLong()).isEqualTo(1_000_000L);
        assertThat(estimate.path("chunks").asInt()).isEqualTo(20);
        assertThat(estimate.path("pi").asDouble()).isBetween(3.13, 3.15);
    }

    private static Workflow.Step withId(Workflow.Step step, String id) {
        return new Workflow.Step(step.signature().withOption("task_id", id));
    }
}
