package dev.bullpen.producer.workflow;

import static dev.bullpen.producer.workflow.WorkflowRequestReaderTests.parse;
import static dev.bullpen.producer.workflow.WorkflowRequestReaderTests.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.client.PoolMap;
import dev.bullpen.client.Workflow;
import dev.bullpen.protocol.CeleryJson;
import org.junit.jupiter.api.Test;

/** {@code map}, {@code starmap} and {@code chunks} in {@code POST /api/workflows}, and how they are kept. */
class PoolMapReaderTests {

    @Test
    void readsAMapAStarmapAndChunks() {
        var map = (PoolMap) parse("{\"map\": {\"task\": \"demo.sleep\", \"items\": [0.5, null, [1]], \"queue\": \"q\"}}");
        assertThat(map.kind()).isEqualTo(PoolMap.Kind.MAP);
        assertThat(map.tasks()).isEqualTo(3);
        assertThat(map.item(2).toString()).isEqualTo("[1]");
        assertThat(map.queue()).isEqualTo("q");

        var starmap = (PoolMap) parse("{\"starmap\": {\"task\": \"demo.add\", \"args\": [[1, 2], [3, 4]]}}");
        assertThat(starmap.kind()).isEqualTo(PoolMap.Kind.STARMAP);
        assertThat(starmap.item(1).toString()).isEqualTo("[3,4]");

        var chunks = (PoolMap) parse("{\"chunks\": {\"task\": \"demo.add\", \"args\": [[1, 2], [3, 4], [5, 6]], \"size\": 2}}");
        assertThat(chunks.kind()).isEqualTo(PoolMap.Kind.CHUNKS);
        assertThat(chunks.tasks()).isEqualTo(2);
    }

    @Test
    void aMapInAChainBeforeATaskIsAChordHeaderAndAChordTakesOneWhole() {
        var chain = (Workflow.Chain) parse("""
                {"chain": [{"map": {"task": "demo.tsum", "items": [[1, 2], [3]]}}, {"task": "demo.tsum"}]}""");
        assertThat(chain.steps().getFirst()).isInstanceOf(PoolMap.class);
        var chord = (Workflow.Chord) parse("""
                {"chord": {"header": {"chunks": {"task": "demo.add", "args": [[1, 2], [3, 4], [5, 6]], "size": 2}},
                           "body": {"task": "demo.echo"}}}""");
        assertThat(chord.header().members()).hasSize(2);
    }

    @Test
    void refusalsNameThePathToTheFault() {
        refused("{\"chunks\": {\"task\": \"demo.add\", \"args\": [[1, 2]], \"size\": 0}}", "chunks.size", "at least 1");
        refused("{\"chunks\": {\"task\": \"demo.add\", \"args\": [[1, 2]], \"size\": 1.5}}", "chunks.size", "whole number");
        refused("{\"chunks\": {\"task\": \"demo.add\", \"args\": [[1, 2]]}}", "chunks.size", "chunk size");
        refused("{\"map\": {\"task\": \"demo.add\", \"items\": []}}", "map.items", "non-empty array");
        refused("{\"map\": {\"task\": \"demo.add\"}}", "map.items", "non-empty array");
        refused("{\"starmap\": {\"task\": \"demo.add\", \"args\": [[1, 2], 3]}}", "starmap.args[1]", "array");
        refused("{\"starmap\": {\"task\": \"\", \"args\": [[1]]}}", "starmap.task", "task name");
        refused("{\"map\": {\"task\": \"demo.add\", \"items\": [1], \"size\": 3}}", "map.size", "unknown field");
        refused("{\"map\": [1, 2]}", "map", "expected {");
        refused("{\"chain\": [{\"task\": \"a\"}, {\"chunks\": {\"task\": \"a\", \"args\": [[1]], \"size\": -1}}]}",
                "chain[1].chunks.size", "at least 1");
    }

    @Test
    void aMapCountsItsTasksTowardsTheLimit() {
        StringBuilder items = new StringBuilder("[0");
        for (int i = 1; i <= WorkflowRequestReader.MAX_TASKS; i++) {
            items.append(",").append(i);
        }
        refused("{\"map\": {\"task\": \"demo.sleep\", \"items\": " + items + "]}}", "body", "at most");
        // In chunks of 100 the same inputs are 101 tasks.
        assertThat(((PoolMap) parse("{\"chunks\": {\"task\": \"demo.sleep\", \"args\": "
                + items.toString().replaceAll("(\\d+)", "[$1]") + "], \"size\": 100}}")).tasks()).isEqualTo(101);
    }

    @Test
    void whatIsKeptReadsBackTheSame() {
        var chunks = (PoolMap) parse("{\"chunks\": {\"task\": \"demo.add\", \"args\": [[1, 2], [3, \"x\"]], \"size\": 5, "
                + "\"queue\": \"q\"}}");
        var json = PoolMapReader.write(chunks);
        assertThat(PoolMapReader.read("chunks", json.get("chunks"), "chunks")).isEqualTo(chunks);
        var map = (PoolMap) parse("{\"map\": {\"task\": \"demo.sleep\", \"items\": [1, [2]]}}");
        assertThat(PoolMapReader.read("map", CeleryJson.mapper().readTree(PoolMapReader.write(map).toString()).get("map"), "map"))
                .isEqualTo(map);
    }
}
