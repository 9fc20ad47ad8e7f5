package dev.bullpen.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.Signature;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A signature becomes the message Celery 5.2's {@code apply_async} sends (captured layouts). */
class SignatureMessagesTests {

    static Signature signature(String json) {
        return Signature.fromJson(CeleryJson.mapper().readTree(json));
    }

    static JsonNode body(TaskMessage message) {
        return CeleryJson.mapper().readTree(new String(new TaskMessageCodec().body(message), StandardCharsets.UTF_8));
    }

    @Test
    void theParentsResultComesFirstAndTheRestOfTheChainRidesAlongReversed() {
        Signature next = signature("""
                {"task": "proj.add", "args": [8], "kwargs": {}, "options": {"task_id": "9d55b74f"},
                 "subtask_type": null, "immutable": false}""");
        Signature last = signature("""
                {"task": "proj.add", "args": [4], "kwargs": {}, "options": {"task_id": "78d849cd"},
                 "subtask_type": null, "immutable": false}""");
        TaskMessage message = SignatureMessages.message(next, List.of(CeleryJson.mapper().getNodeFactory().numberNode(4)),
                List.of(last), "005a9116", "005a9116");

        assertThat(message.id()).isEqualTo("9d55b74f");
        assertThat(message.headers().parentId()).isEqualTo("005a9116");
        assertThat(message.headers().rootId()).isEqualTo("005a9116");
        JsonNode body = body(message);
        assertThat(body.get(0).toString()).isEqualTo("[4,8]");
        assertThat(body.get(2).get("chain").get(0).get("options").get("task_id").asString()).isEqualTo("78d849cd");
        assertThat(body.get(2).get("callbacks").isNull()).isTrue();
    }

    @Test
    void anImmutableSignatureKeepsItsOwnArgs() {
        TaskMessage message = SignatureMessages.message(signature("""
                {"task": "proj.on_error", "args": [1], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": true}"""),
                List.of(CeleryJson.mapper().getNodeFactory().stringNode("parent")), null, null, null);
        assertThat(message.args().toString()).isEqualTo("[1]");
        assertThat(message.headers().rootId()).as("a new workflow's root is itself").isEqualTo(message.id());
    }

    @Test
    void groupChordAndLinkOptionsBecomeHeadersAndEmbed() {
        TaskMessage message = SignatureMessages.message(signature("""
                {"task": "proj.add", "args": [1, 1], "kwargs": {}, "subtask_type": null, "immutable": false,
                 "options": {"task_id": "83f90223", "group_id": "0dd4f5ec", "group_index": 0, "priority": 3,
                   "chord": {"task": "proj.total", "args": [], "kwargs": {}, "options": {"task_id": "e4a6b204"},
                             "subtask_type": null, "immutable": false},
                   "link": [{"task": "proj.cb", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}],
                   "link_error": {"task": "proj.eb", "args": [], "kwargs": {}, "options": {}, "subtask_type": null,
                                  "immutable": true}}}"""), List.of(), null, null, null);

        assertThat(message.headers().group()).isEqualTo("0dd4f5ec");
        assertThat(message.headers().groupIndex()).isZero();
        assertThat(message.properties().priority()).isEqualTo(3);
        assertThat(message.embed().chord().taskId()).isEqualTo("e4a6b204");
        assertThat(message.embed().callbacks()).extracting(Signature::task).containsExactly("proj.cb");
        assertThat(message.embed().errbacks()).extracting(Signature::task).containsExactly("proj.eb");
        assertThat(message.embed().chain()).isNull();
    }
}
