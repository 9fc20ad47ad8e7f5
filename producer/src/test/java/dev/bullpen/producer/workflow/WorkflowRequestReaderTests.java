package dev.bullpen.producer.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.client.Workflow;
import dev.bullpen.protocol.CeleryJson;
import org.junit.jupiter.api.Test;

class WorkflowRequestReaderTests {

    static Workflow parse(String json) {
        return WorkflowRequestReader.parse(CeleryJson.mapper().readTree(json));
    }

    static void refused(String json, String field, String detail) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(InvalidWorkflowException.class, ex -> {
            assertThat(ex.field()).isEqualTo(field);
            assertThat(ex.getMessage()).contains(detail);
        });
    }

    @Test
    void readsNestedWorkflows() {
        Workflow workflow = parse("""
                {"chain": [{"task": "demo.add", "args": [1, 2]},
                           {"group": [{"task": "demo.mul", "args": [2]}, {"chain": [{"task": "demo.add", "args": [1]}]}]},
                           {"task": "demo.tsum", "immutable": false, "queue": "q"}]}""");
        var chain = (Workflow.Chain) workflow;
        assertThat(chain.steps()).hasSize(3);
        var first = (Workflow.Step) chain.steps().getFirst();
        assertThat(first.signature().args().toString()).isEqualTo("[1,2]");
        assertThat(((Workflow.Group) chain.steps().get(1)).members().get(1)).isInstanceOf(Workflow.Chain.class);
        assertThat(((Workflow.Step) chain.steps().get(2)).signature().option("queue").asString()).isEqualTo("q");
    }

    @Test
    void readsAChordAndAnImmutableBody() {
        var chord = (Workflow.Chord) parse("""
                {"chord": {"header": [{"task": "demo.add", "args": [1, 1]}], "body": {"task": "demo.tsum", "immutable": true}}}""");
        assertThat(chord.header().members()).hasSize(1);
        assertThat(chord.body().signature().immutable()).isTrue();
    }

    @Test
    void refusalsNameThePathToTheFault() {
        refused("[]", "body", "expected an object");
        refused("{\"chain\": []}", "chain", "non-empty array");
        refused("{\"chain\": [{\"task\": \"a\"}, {\"task\": \"b\", \"args\": 3}]}", "chain[1].args", "array");
        refused("{\"group\": [{\"task\": \"a\", \"kwargs\": []}]}", "group[0].kwargs", "object");
        refused("{\"group\": [{\"task\": \"a\", \"retries\": 1}]}", "group[0].retries", "unknown field");
        refused("{\"chord\": {\"header\": [{\"task\": \"a\"}]}}", "chord", "header");
        refused("{\"chord\": {\"header\": [{\"task\": \"a\"}], \"body\": {\"group\": [{\"task\": \"b\"}]}}}",
                "chord.body", "one task");
        refused("{\"group\": [{\"chord\": {\"header\": [{\"task\": \"a\"}], \"body\": {\"task\": \"b\"}}}]}",
                "group[0]", "chord inside a group");
        refused("{\"task\": \"\"}", "body.task", "task name");
        refused("{\"task\": \"a\", \"queue\": \"amq.x\"}", "body.queue", "amq.");
        refused("{\"task\": \"a\", \"immutable\": \"yes\"}", "body.immutable", "true or false");
        refused("{\"chain\": [{\"task\": \"a\"}], \"group\": []}", "body", "exactly one");
        refused("{\"loop\": []}", "loop", "unknown field");
    }

    @Test
    void boundsTheNesting() {
        String deep = "{\"chain\": [".repeat(10) + "{\"task\": \"a\"}" + "]}".repeat(10);
        refused(deep, "chain[0].chain[0].chain[0].chain[0].chain[0].chain[0].chain[0].chain[0].chain[0]", "nest");
    }
}
