package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.Captures;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Result values exactly as a Celery 5.2 worker stores them in Redis. */
class ResultCodecTests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static JsonNode json(String text) {
        return CeleryJson.mapper().readTree(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"success_extended", "failure_extended", "started", "retry"})
    void decodingAndEncodingGivesBackTheCapturedString(String name) {
        String captured = Captures.result(name);
        String id = json(captured).get("task_id").stringValue();

        assertThat(ResultCodec.encode(ResultCodec.decode(id, captured))).isEqualTo(captured);
    }

    @Test
    void success() {
        String captured = Captures.result("success_extended");
        TaskResult r = ResultCodec.decode("54c5e52e-9e50-40ce-a09e-2aae4353a1b0", captured);

        assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(r.result()).isEqualTo(NODES.numberNode(5));
        assertThat(r.traceback()).isNull();
        assertThat(r.dateDone()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 5, 686_298_000, ZoneOffset.UTC));
        assertThat(r.children()).isEqualTo(NODES.arrayNode());
        assertThat(r.error()).isEmpty();
        assertThat(r.meta()).isEqualTo(new ResultMeta("proj.add", json("[2, 3]"), json("{}"), "celery@vm", 0,
                "capture_results", null, null));
    }

    @Test
    void aSuccessBuiltFromItsFieldsIsTheCapturedString() {
        TaskResult built = new TaskResult("54c5e52e-9e50-40ce-a09e-2aae4353a1b0", TaskState.SUCCESS, NODES.numberNode(5),
                null, OffsetDateTime.of(2026, 11, 25, 8, 0, 5, 686_298_000, ZoneOffset.UTC),
                new ResultMeta("proj.add", json("[2, 3]"), json("{}"), "celery@vm", 0, "capture_results", null, null));

        assertThat(ResultCodec.encode(built)).isEqualTo(Captures.result("success_extended"));
    }

    @Test
    void failure() {
        TaskResult r = ResultCodec.decode("b26423cc-0c6f-43fc-a171-1137471ab081", Captures.result("failure_extended"));

        assertThat(r.state()).isEqualTo(TaskState.FAILURE);
        assertThat(r.traceback()).startsWith("Traceback (most recent call last):")
                .endsWith("ValueError: ('bad thing', 42)\n");
        assertThat(r.dateDone()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 5, 691_254_000, ZoneOffset.UTC));
        assertThat(r.meta().name()).isEqualTo("proj.fail");
        assertThat(r.meta().args()).isEqualTo(json("[\"bad thing\"]"));
    }

    @Test
    void theRemoteErrorOfAFailure() {
        TaskResult r = ResultCodec.decode("b26423cc-0c6f-43fc-a171-1137471ab081", Captures.result("failure_extended"));

        RemoteError error = r.error().orElseThrow();
        assertThat(error.type()).isEqualTo("ValueError");
        assertThat(error.module()).isEqualTo("builtins");
        assertThat(error.arguments()).containsExactly(NODES.stringNode("bad thing"), NODES.numberNode(42));
        // As Python's str(exc), and so as the last line of the traceback.
        assertThat(error.message()).isEqualTo("('bad thing', 42)");
        assertThat(error.traceback()).isEqualTo(r.traceback());
    }

    @Test
    void aFailureBuiltFromItsFieldsIsTheCapturedString() {
        String captured = Captures.result("failure_extended");
        JsonNode node = json(captured);
        RemoteError error = new RemoteError("ValueError", "builtins",
                List.of(NODES.stringNode("bad thing"), NODES.numberNode(42)), node.get("traceback").stringValue());
        ResultMeta meta = new ResultMeta("proj.fail", json("[\"bad thing\"]"), json("{}"), "celery@vm", 0,
                "capture_results", null, null);
        TaskResult built = TaskResult.failure("b26423cc-0c6f-43fc-a171-1137471ab081", TaskState.FAILURE, error, meta);
        TaskResult atCaptureTime = new TaskResult(built.taskId(), built.state(), built.result(), built.traceback(),
                OffsetDateTime.of(2026, 11, 25, 8, 0, 5, 691_254_000, ZoneOffset.UTC), built.meta());

        assertThat(ResultCodec.encode(atCaptureTime)).isEqualTo(captured);
    }

    @Test
    void started() {
        TaskResult r = ResultCodec.decode("2c346f9c-21ce-44aa-b6d1-39174d54c046", Captures.result("started"));

        assertThat(r.state()).isEqualTo(TaskState.STARTED);
        assertThat(r.state().isReady()).isFalse();
        assertThat(r.result()).isEqualTo(json("{\"pid\": 24930, \"hostname\": \"celery@vm\"}"));
        assertThat(r.dateDone()).isNull();
        assertThat(r.error()).isEmpty();
        assertThat(r.meta().name()).isEqualTo("proj.slow");
    }

    @Test
    void retryKeepsItsChildren() {
        String captured = Captures.result("retry");
        TaskResult r = ResultCodec.decode("302f2e7c-4a52-4b22-a503-c1c7639f1f0e", captured);

        assertThat(r.state()).isEqualTo(TaskState.RETRY);
        assertThat(r.dateDone()).isNull();
        assertThat(r.traceback()).endsWith("celery.exceptions.Retry: Retry in 1s: OSError('transient')\n");
        assertThat(r.error().orElseThrow()).satisfies(e -> {
            assertThat(e.type()).isEqualTo("OSError");
            assertThat(e.message()).isEqualTo("transient");
        });
        // The retry message the worker sent, as Celery's result tuple [[id, parent], null].
        assertThat(r.children()).isEqualTo(json("[[[\"302f2e7c-4a52-4b22-a503-c1c7639f1f0e\", null], null]]"));
    }

    @Test
    void groupAndParentIdsComeBeforeTheExtendedFields() {
        ResultMeta meta = new ResultMeta("proj.add", json("[1]"), json("{}"), "w@h", 2, "q", "parent-1", "group-1");
        TaskResult r = new TaskResult("id-1", TaskState.SUCCESS, NODES.numberNode(1), null,
                OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC), meta);

        String json = ResultCodec.encode(r);

        assertThat(json).isEqualTo("{\"status\": \"SUCCESS\", \"result\": 1, \"traceback\": null, \"children\": [], "
                + "\"date_done\": \"2026-01-02T03:04:05\", \"group_id\": \"group-1\", \"parent_id\": \"parent-1\", "
                + "\"name\": \"proj.add\", \"args\": [1], \"kwargs\": {}, \"worker\": \"w@h\", \"retries\": 2, "
                + "\"queue\": \"q\", \"task_id\": \"id-1\"}");
        assertThat(ResultCodec.decode("id-1", json)).isEqualTo(r);
    }

    @Test
    void withoutExtendedFieldsOnlyTheCoreIsWritten() {
        TaskResult r = new TaskResult("id-2", TaskState.FAILURE, NODES.nullNode(), null, null, ResultMeta.NONE);

        assertThat(ResultCodec.encode(r)).isEqualTo("{\"status\": \"FAILURE\", \"result\": null, \"traceback\": null, "
                + "\"children\": [], \"date_done\": null, \"task_id\": \"id-2\"}");
    }

    @Test
    void dateDoneIsNaiveUtc() {
        TaskResult r = new TaskResult("id-3", TaskState.SUCCESS, NODES.nullNode(), null,
                OffsetDateTime.of(2026, 1, 2, 5, 4, 5, 123_456_789, ZoneOffset.ofHours(2)), ResultMeta.NONE);

        assertThat(json(ResultCodec.encode(r)).get("date_done").stringValue()).isEqualTo("2026-01-02T03:04:05.123456");
    }

    @Test
    void nonAsciiResultsAreEscapedLikePython() {
        TaskResult r = new TaskResult("id-4", TaskState.SUCCESS, NODES.stringNode("caf\u00e9"), null, null,
                ResultMeta.NONE);

        assertThat(ResultCodec.encode(r)).contains("\"result\": \"caf\\u00e9\"");
    }

    @Test
    void readsCelery55TimezoneAwareDates() {
        TaskResult r = ResultCodec.decode("x", "{\"status\": \"SUCCESS\", \"result\": 1, \"date_done\": "
                + "\"2026-11-25T08:00:05.686298+00:00\", \"task_id\": \"x\"}");

        assertThat(r.dateDone()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 5, 686_298_000, ZoneOffset.UTC));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "6", "{\"status\": \"WHATEVER\"}", "{}", "[]"})
    void garbageReadsAsPending(String value) {
        assertThat(ResultCodec.decode("x", value).state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void anUnreadableDateDoesNotFailTheReader() {
        TaskResult r = ResultCodec.decode("x", "{\"status\": \"SUCCESS\", \"result\": 1, \"date_done\": \"yesterday\"}");

        assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(r.dateDone()).isNull();
    }

    @Test
    void lowercaseStatesAreAccepted() {
        assertThat(ResultCodec.decode("x", "{\"status\": \"success\", \"result\": 1}").state()).isEqualTo(TaskState.SUCCESS);
    }
}
