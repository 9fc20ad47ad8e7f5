package dev.bullpen.producer.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

class TaskStatusTests {

    private static final JsonNodeFactory JSON = CeleryJson.mapper().getNodeFactory();

    @Test
    void pendingHasNothingButItsId() {
        TaskStatus status = TaskStatus.of(TaskResult.pending("abc"));

        assertThat(status).isEqualTo(new TaskStatus("abc", TaskState.PENDING, null, null, null,
                null, null, null, null, null, null));
    }

    @Test
    void successCarriesTheValueAndTheExtendedFields() {
        var args = JSON.arrayNode().add(2).add(3);
        var meta = new ResultMeta("demo.add", args, JSON.objectNode(), "w@h", 1, "celery", null, null);
        var stored = new TaskResult("abc", TaskState.SUCCESS, JSON.numberNode(5), null,
                OffsetDateTime.of(2026, 11, 25, 7, 51, 37, 151_514_000, ZoneOffset.UTC), meta);

        TaskStatus status = TaskStatus.of(stored);

        assertThat(status.result()).isEqualTo(JSON.numberNode(5));
        assertThat(status.error()).isNull();
        assertThat(status.dateDone()).isEqualTo("2026-11-25T07:51:37.151514+00:00");
        assertThat(status.name()).isEqualTo("demo.add");
        assertThat(status.args()).isEqualTo(args);
        assertThat(status.worker()).isEqualTo("w@h");
        assertThat(status.retries()).isEqualTo(1);
        assertThat(status.queue()).isEqualTo("celery");
    }

    @Test
    void failureBecomesAnErrorInsteadOfAResult() {
        var error = new RemoteError("ValueError", "builtins", List.of(JSON.stringNode("bad thing")), "Traceback...");

        TaskStatus status = TaskStatus.of(TaskResult.failure("abc", TaskState.FAILURE, error, ResultMeta.NONE));

        assertThat(status.result()).isNull();
        assertThat(status.error()).isEqualTo(new TaskError("ValueError", "bad thing", "Traceback..."));
        assertThat(status.dateDone()).isNotNull();
    }

    @Test
    void retryShowsTheErrorThatWillBeRetried() {
        var error = new RemoteError("TimeoutError", "builtins", List.of(), null);

        TaskStatus status = TaskStatus.of(TaskResult.failure("abc", TaskState.RETRY, error, ResultMeta.NONE));

        assertThat(status.state()).isEqualTo(TaskState.RETRY);
        assertThat(status.error()).isEqualTo(new TaskError("TimeoutError", "", null));
        assertThat(status.dateDone()).isNull();
    }

    @Test
    void aRevokedTaskWithoutAnExceptionStillHasAnError() {
        var stored = new TaskResult("abc", TaskState.REVOKED, JSON.nullNode(), null, null, ResultMeta.NONE);

        assertThat(TaskStatus.of(stored).error()).isEqualTo(new TaskError("REVOKED", "", null));
    }

    @Test
    void startedShowsTheWorkerInfo() {
        var info = JSON.objectNode().put("pid", 42).put("hostname", "w@h");

        TaskStatus status = TaskStatus.of(new TaskResult("abc", TaskState.STARTED, info, null, null, ResultMeta.NONE));

        assertThat(status.result()).isEqualTo(info);
        assertThat(status.error()).isNull();
    }
}
