package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.protocol.Signature;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The chunking maths and the groups map, starmap and chunks are sent as. */
class PoolMapTests {

    static final List<Integer> TEN = IntStream.range(0, 10).boxed().toList();

    @Test
    void chunksHoldTheRemainderLast() {
        assertThat(Chunking.split(TEN, 3)).containsExactly(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6, 7, 8), List.of(9));
        assertThat(Chunking.count(10, 3)).isEqualTo(4);
        assertThat(Chunking.start(3, 3)).isEqualTo(9);
        assertThat(Chunking.length(3, 10, 3)).isEqualTo(1);
        assertThat(Chunking.length(2, 10, 3)).isEqualTo(3);
    }

    @Test
    void chunksThatDivideEvenlyHaveNoShortOne() {
        assertThat(Chunking.split(TEN, 5)).containsExactly(List.of(0, 1, 2, 3, 4), List.of(5, 6, 7, 8, 9));
        assertThat(Chunking.split(TEN, 1)).hasSize(10);
    }

    @Test
    void aChunkSizeOverTheInputIsOneChunk() {
        assertThat(Chunking.split(TEN, 100)).containsExactly(TEN);
        assertThat(Chunking.count(10, 100)).isEqualTo(1);
        assertThat(Chunking.length(0, 10, 100)).isEqualTo(10);
        assertThatThrownBy(() -> Chunking.length(1, 10, 100)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(Chunking.count(0, 4)).isZero();
    }

    @Test
    void aChunkSizeBelowOneIsRefused() {
        assertThatThrownBy(() -> Chunking.split(TEN, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Workflow.chunks("demo.add", List.of(List.of(1, 2)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1, got 0");
        assertThatThrownBy(() -> Workflow.chunks("demo.add", List.of(List.of(1, 2)), -3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noItemsOrNoTaskNameIsRefused() {
        assertThatThrownBy(() -> Workflow.map("demo.add", List.of())).hasMessageContaining("at least one item");
        assertThatThrownBy(() -> Workflow.starmap(" ", List.of(List.of(1)))).hasMessageContaining("blank");
    }

    @Test
    void aMapIsOneTaskPerItemWithTheItemAsItsArgument() {
        PoolMap map = Workflow.map("demo.sleep", java.util.Arrays.asList(0.5, null, "x"));
        List<Workflow> members = map.group().members();
        assertThat(members).hasSize(3);
        assertThat(((Workflow.Step) members.get(1)).signature().args().toString()).isEqualTo("[null]");
        assertThat(map.item(2).asString()).isEqualTo("x");
        assertThat(map.tasks()).isEqualTo(3);
    }

    @Test
    void aStarmapIsOneTaskPerTuple() {
        PoolMap map = Workflow.starmap("demo.add", List.of(List.of(1, 2), List.of(3, 4))).queue("q1");
        Signature second = ((Workflow.Step) map.group().members().get(1)).signature();
        assertThat(second.task()).isEqualTo("demo.add");
        assertThat(second.args().toString()).isEqualTo("[3,4]");
        assertThat(second.option("queue").asString()).isEqualTo("q1");
        assertThat(map.item(1).toString()).isEqualTo("[3,4]");
    }

    @Test
    void chunksAreCeleryStarmapTasksAsCeleryXstarmapBuildsThem() {
        List<List<Integer>> pairs = IntStream.range(0, 5).mapToObj(i -> List.of(i, i)).toList();
        PoolMap map = Workflow.chunks("demo.add", pairs, 2);
        assertThat(map.tasks()).isEqualTo(3);
        List<Workflow> members = map.group().members();
        Signature last = ((Workflow.Step) members.get(2)).signature();
        assertThat(last.task()).isEqualTo("celery.starmap");
        assertThat(last.immutable()).as("a chain's previous result is not prepended").isTrue();
        assertThat(last.args()).isEmpty();
        assertThat(last.kwargs().path("task").path("task").asString()).isEqualTo("demo.add");
        assertThat(last.kwargs().path("it").toString()).isEqualTo("[[4,4]]");
        assertThat(((Workflow.Step) members.get(0)).signature().kwargs().path("it").toString()).isEqualTo("[[0,0],[1,1]]");
    }

    @Test
    void aMapInAGroupJoinsItsMembers() {
        Workflow.Group group = Workflow.group(Workflow.task("demo.add", 1, 1), Workflow.map("demo.sleep", List.of(0, 0)));
        assertThat(group.members()).hasSize(3);
    }
}
