package dev.bullpen.worker;

import static dev.bullpen.client.Workflow.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.MapFailedException;
import dev.bullpen.client.MapFailure;
import dev.bullpen.client.MapHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.Workflow;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Pool maps sent with the Java API ({@code Workflow.map}, {@code starmap}, {@code chunks}) and run by
 * a Bullpen worker on the real broker and Redis: results in input order though the tasks finish in
 * another, a failed input named by its index (also inside a chunk, which runs as Celery's
 * {@code celery.starmap}), and a map followed by a callback.
 */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class PoolMapIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("pool-maps");
    /** Where bullpen.routes sends demo.mul, also consumed by the worker. */
    static final String MULS = services.queue("pool-muls");
    static final Duration WAIT = Duration.ofSeconds(45);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE + "," + MULS);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.routes[demo.mul]", () -> MULS);
    }

    @Autowired
    TaskClient client;

    @Test
    void aMapGivesItsResultsInInputOrderThoughTheyFinishInAnother() {
        MapHandle map = client.apply(Workflow.map("demo.sleep", List.of(0.8, 0.4, 0.0, 0.2)));
        assertThat(map.tasks()).hasSize(4);
        assertThat(map.get(WAIT)).extracting(JsonNode::asDouble).containsExactly(0.8, 0.4, 0.0, 0.2);
        // The premise: the first input finished last.
        assertThat(map.tasks().get(0).result().dateDone()).isAfter(map.tasks().get(2).result().dateDone());
        assertThat(map.progress().done()).isEqualTo(4);
        assertThat(map.progress().state()).isEqualTo(TaskState.SUCCESS);
        assertThat(map.tasks().get(1).result().meta().args().toString()).as("one task per item, the item its argument")
                .isEqualTo("[0.4]");
    }

    @Test
    void aStarmapCallsTheTaskWithEachTupleAndSavesItsGroup() {
        List<List<Integer>> pairs = IntStream.range(0, 50).mapToObj(i -> List.of(i, i * 10)).toList();
        MapHandle map = client.apply(Workflow.starmap("demo.add", pairs));
        List<JsonNode> sums = map.get(WAIT);
        assertThat(sums).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(sums.get(i).asInt()).isEqualTo(11 * i);
        }
        assertThat(client.group(map.id()).orElseThrow().members()).extracting(TaskHandle::id)
                .isEqualTo(map.tasks().stream().map(TaskHandle::id).toList());
    }

    @Test
    void chunksRunEachChunkAsCeleryStarmapAndFlattenTheResults() {
        List<List<Integer>> pairs = IntStream.range(0, 95).mapToObj(i -> List.of(i, i)).toList();
        MapHandle map = client.apply(Workflow.chunks("demo.add", pairs, 10));
        assertThat(map.tasks()).as("ten chunks, the last of five").hasSize(10);
        List<JsonNode> sums = map.get(WAIT);
        assertThat(sums).extracting(JsonNode::asInt).isEqualTo(IntStream.range(0, 95).map(i -> 2 * i).boxed().toList());
        JsonNode last = map.tasks().get(9).get(WAIT);
        assertThat(last.toString()).isEqualTo("[180,182,184,186,188]");
        assertThat(map.tasks().get(9).result().meta().name()).isEqualTo("celery.starmap");
        assertThat(map.progress().total()).isEqualTo(95);
    }

    @Test
    void chunksGiveInputOrderThoughLaterChunksFinishFirst() {
        List<List<Double>> naps = List.of(List.of(0.8), List.of(0.0), List.of(0.0), List.of(0.1), List.of(0.0));
        MapHandle map = client.apply(Workflow.chunks("demo.sleep", naps, 2));
        assertThat(map.get(WAIT)).extracting(JsonNode::asDouble).containsExactly(0.8, 0.0, 0.0, 0.1, 0.0);
        assertThat(map.tasks().get(0).result().dateDone()).isAfter(map.tasks().get(2).result().dateDone());
    }

    @Test
    void aFailedItemIsNamedByItsIndexWhileTheOthersRun() {
        MapHandle map = client.apply(Workflow.map("demo.sleep", List.of(0.5, "not a number", 0.0)));
        assertThatThrownBy(() -> map.get(WAIT))
                .isInstanceOfSatisfying(MapFailedException.class, ex -> {
                    assertThat(ex.index()).isEqualTo(1);
                    assertThat(ex.item().asString()).isEqualTo("not a number");
                    assertThat(ex.remoteType()).isEqualTo("TypeError");
                    assertThat(ex.taskId()).isEqualTo(map.tasks().get(1).id());
                    assertThat(ex.getMessage()).contains("item 1");
                });
        assertThat(map.tasks().get(0).get(WAIT).asDouble()).as("the other items still ran").isEqualTo(0.5);
        await().atMost(WAIT).until(() -> map.progress().done() == 3);
        assertThat(map.progress().failed()).isEqualTo(1);
        assertThat(map.progress().state()).isEqualTo(TaskState.FAILURE);
        assertThat(map.snapshot().values().get(2).asDouble()).isEqualTo(0.0);
    }

    @Test
    void aFailedItemInsideAChunkIsNamedByItsIndexInTheInput() {
        List<List<Object>> pairs = List.of(List.of(1, 2), List.of(3, 4), List.of(5, 6), List.of(7, "x"), List.of(9, 10));
        MapHandle map = client.apply(Workflow.chunks("demo.add", pairs, 2));
        assertThatThrownBy(() -> map.get(WAIT))
                .isInstanceOfSatisfying(MapFailedException.class, ex -> {
                    assertThat(ex.index()).as("the 2nd tuple of the 2nd chunk").isEqualTo(3);
                    assertThat(ex.item().toString()).isEqualTo("[7,\"x\"]");
                    assertThat(ex.remoteType()).isEqualTo("TypeError");
                    assertThat(ex.remoteTraceback()).contains("item 1 of celery.starmap");
                    assertThat(ex.taskId()).isEqualTo(map.tasks().get(1).id());
                });
        await().atMost(WAIT).until(() -> map.progress().done() == 5);
        List<MapFailure> failures = map.failures();
        assertThat(failures).extracting(MapFailure::index).containsExactly(3);
        assertThat(map.snapshot().values().toString()).as("the other chunks' results, in place")
                .isEqualTo("[3, 7, null, null, 19]");
    }

    @Test
    void aMapFollowedByATaskInAChainIsAChordGivenTheResultsInInputOrder() {
        TaskHandle total = client.apply(Workflow.chain(Workflow.map("demo.tsum", List.of(List.of(1, 2), List.of(3, 4))),
                task("demo.echo")));
        assertThat(total.get(WAIT).path("args").toString()).isEqualTo("[[3,7]]");

        TaskHandle sum = client.apply(Workflow.chord(Workflow.starmap("demo.mul", List.of(List.of(2, 3), List.of(4, 5))),
                task("demo.tsum")));
        assertThat(sum.get(WAIT, Integer.class)).isEqualTo(6 + 20);
    }

    @Test
    void chunksFollowedByACallbackGiveItOneListPerChunkAsCelery() {
        List<List<Integer>> pairs = List.of(List.of(1, 2), List.of(3, 4), List.of(5, 6));
        TaskHandle echoed = client.apply(Workflow.chord(Workflow.chunks("demo.add", pairs, 2), task("demo.echo")));
        assertThat(echoed.get(WAIT).path("args").toString()).isEqualTo("[[[3,7],[11]]]");
    }

    @Test
    void chunksGoWhereTheirTaskIsRoutedAsCelerysRouteNameSendsThem() {
        MapHandle map = client.apply(Workflow.chunks("demo.mul", List.of(List.of(2, 3), List.of(4, 5), List.of(6, 7)), 2));
        assertThat(map.get(WAIT)).extracting(JsonNode::asInt).containsExactly(6, 20, 42);
        assertThat(map.tasks()).allSatisfy(t -> assertThat(t.result().meta().queue()).isEqualTo(MULS));
        MapHandle pinned = client.apply(Workflow.starmap("demo.mul", List.of(List.of(1, 1))).queue(QUEUE));
        pinned.get(WAIT);
        assertThat(pinned.tasks().getFirst().result().meta().queue()).isEqualTo(QUEUE);
    }

    @Test
    void anUnknownTaskInAChunkFailsItAsCeleryDoes() {
        MapHandle map = client.apply(Workflow.chunks("demo.nothing", List.of(List.of(1)), 5));
        assertThatThrownBy(() -> map.get(WAIT)).isInstanceOfSatisfying(MapFailedException.class, ex -> {
            assertThat(ex.remoteType()).isEqualTo("NotRegistered");
            assertThat(ex.index()).isZero();
            assertThat(ex.item()).as("no item of the chunk ran").isNull();
        });
    }
}
