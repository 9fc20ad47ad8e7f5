package dev.bullpen.producer.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskRequestReaderTests {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    private final TaskRequestReader reader = new TaskRequestReader();

    @Test
    void onlyTaskIsRequired() {
        TaskSubmission s = parse("{\"task\": \"demo.add\"}");

        assertThat(s.task()).isEqualTo("demo.add");
        assertThat(s.args()).isEmpty();
        assertThat(s.kwargs()).isEmpty();
        assertThat(s.options().queue()).isNull();
        assertThat(s.options().startAfter(NOW)).isNull();
        assertThat(s.options().expires()).isNull();
        assertThat(s.options().priority()).isNull();
        assertThat(s.options().taskId()).isNull();
    }

    @Test
    void readsEveryOption() {
        TaskSubmission s = parse("""
                {"task": "demo.add", "args": [2, 3.0, 12345678901234567890], "kwargs": {"b": [1], "a": null},
                 "queue": "images", "countdown": 1.5, "expires": 60, "priority": 9, "task_id": "order-42",
                 "time_limit": 20, "soft_time_limit": 10, "ignore_result": true}""");

        assertThat(s.args()).extracting(Object::toString).containsExactly("2", "3.0", "12345678901234567890");
        assertThat(s.kwargs()).containsOnlyKeys("b", "a");
        assertThat(s.kwargs().keySet()).containsExactly("b", "a");
        assertThat(s.options().queue()).isEqualTo("images");
        assertThat(s.options().startAfter(NOW)).isEqualTo(NOW.plusMillis(1500));
        assertThat(s.options().expires()).isEqualTo(NOW.plusSeconds(60));
        assertThat(s.options().priority()).isEqualTo(9);
        assertThat(s.options().taskId()).isEqualTo("order-42");
        assertThat(s.options().timeLimit()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.options().softTimeLimit()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.options().ignoreResult()).isTrue();
    }

    @Test
    void datesWithoutOffsetAreUtcAndOffsetsAreKept() {
        TaskSubmission s = parse("""
                {"task": "t", "eta": "2026-01-01T00:00:00", "expires": "2026-01-02T03:00:00+02:00", "countdown": 0}""");

        assertThat(s.options().eta()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(s.options().expires()).isEqualTo(Instant.parse("2026-01-02T01:00:00Z"));
    }

    @Test
    void nullMeansAbsent() {
        TaskSubmission s = parse("{\"task\": \"t\", \"args\": null, \"kwargs\": null, \"priority\": null, \"eta\": null}");

        assertThat(s.args()).isEmpty();
        assertThat(s.options().priority()).isNull();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("{\"task\": \"t\",", "body"),
                Arguments.of("", "body"),
                Arguments.of("[\"t\"]", "body"),
                Arguments.of("{\"task\": \"t\"} {}", "body"),
                Arguments.of("{\"task\": \"t\", \"task\": \"u\"}", "body"),
                Arguments.of("{\"args\": []}", "task"),
                Arguments.of("{\"task\": null}", "task"),
                Arguments.of("{\"task\": 42}", "task"),
                Arguments.of("{\"task\": \" \"}", "task"),
                Arguments.of("{\"task\": \"t\", \"args\": {}}", "args"),
                Arguments.of("{\"task\": \"t\", \"args\": [1e400]}", "args"),
                Arguments.of("{\"task\": \"t\", \"kwargs\": []}", "kwargs"),
                Arguments.of("{\"task\": \"t\", \"kwargs\": {\"x\": [-1e999]}}", "kwargs"),
                Arguments.of("{\"task\": \"t\", \"queue\": \"\"}", "queue"),
                Arguments.of("{\"task\": \"t\", \"queue\": \"amq.direct\"}", "queue"),
                Arguments.of("{\"task\": \"t\", \"queue\": \"" + "q".repeat(256) + "\"}", "queue"),
                Arguments.of("{\"task\": \"t\", \"countdown\": -1}", "countdown"),
                Arguments.of("{\"task\": \"t\", \"countdown\": \"5\"}", "countdown"),
                Arguments.of("{\"task\": \"t\", \"countdown\": 1e12}", "countdown"),
                Arguments.of("{\"task\": \"t\", \"countdown\": 5, \"eta\": \"2026-01-01T00:00:00Z\"}", "countdown"),
                Arguments.of("{\"task\": \"t\", \"eta\": \"tomorrow\"}", "eta"),
                Arguments.of("{\"task\": \"t\", \"eta\": 1767225600}", "eta"),
                Arguments.of("{\"task\": \"t\", \"eta\": \"2026-02-30T00:00:00Z\"}", "eta"),
                Arguments.of("{\"task\": \"t\", \"expires\": -5}", "expires"),
                Arguments.of("{\"task\": \"t\", \"expires\": 0}", "expires"),
                Arguments.of("{\"task\": \"t\", \"expires\": \"soon\"}", "expires"),
                Arguments.of("{\"task\": \"t\", \"expires\": true}", "expires"),
                Arguments.of("{\"task\": \"t\", \"priority\": 10}", "priority"),
                Arguments.of("{\"task\": \"t\", \"priority\": -1}", "priority"),
                Arguments.of("{\"task\": \"t\", \"priority\": 1.5}", "priority"),
                Arguments.of("{\"task\": \"t\", \"priority\": \"1\"}", "priority"),
                Arguments.of("{\"task\": \"t\", \"task_id\": \"\"}", "task_id"),
                Arguments.of("{\"task\": \"t\", \"task_id\": \"a/b\"}", "task_id"),
                Arguments.of("{\"task\": \"t\", \"task_id\": 7}", "task_id"),
                Arguments.of("{\"task\": \"t\", \"time_limit\": 0}", "time_limit"),
                Arguments.of("{\"task\": \"t\", \"soft_time_limit\": -2}", "soft_time_limit"),
                Arguments.of("{\"task\": \"t\", \"ignore_result\": \"yes\"}", "ignore_result"),
                Arguments.of("{\"task\": \"t\", \"kwarg\": {}}", "kwarg"),
                Arguments.of("{\"task\": \"t\", \"worker\": \" \"}", "worker"),
                Arguments.of("{\"task\": \"t\", \"worker\": 3}", "worker"),
                Arguments.of("{\"task\": \"t\", \"worker\": \"w@h\", \"queue\": \"q\"}", "worker"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("invalid")
    void refusesNamingTheField(String body, String field) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOfSatisfying(InvalidTaskRequestException.class, ex -> {
                    assertThat(ex.field()).isEqualTo(field);
                    assertThat(ex.getMessage()).contains(field.equals("body") ? "request body" : field);
                });
    }

    @Test
    void aWorkerIsReadAsTheTaskOptionsWorker() {
        TaskSubmission s = parse("{\"task\": \"demo.whoami\", \"worker\": \"bullpen@host-1\"}");

        assertThat(s.options().worker()).isEqualTo("bullpen@host-1");
        assertThat(s.options().queue()).isNull();
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatThrownBy(() -> parse("{\"task\": \"t\",\n \"args\": [1,}"))
                .hasMessageStartingWith("request body is not valid JSON at line 2, column");
    }

    private TaskSubmission parse(String json) {
        return reader.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
    }
}
