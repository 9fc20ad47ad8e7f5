package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.result.InMemoryResultBackend;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

class TaskHandleTests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final InMemoryResultBackend results = new InMemoryResultBackend();

    @Test
    void readsTheStateAndTheValue() {
        TaskHandle handle = new TaskHandle("t1", results);
        assertThat(handle.state()).isEqualTo(TaskState.PENDING);

        results.store(TaskResult.success("t1", NODES.numberNode(5), ResultMeta.NONE));

        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(handle.get(Duration.ofSeconds(1))).isEqualTo(NODES.numberNode(5));
        assertThat(handle.get(Duration.ofSeconds(1), Long.class)).isEqualTo(5L);
        assertThat(handle.toString()).contains("t1");
    }

    @Test
    void convertsStructuredValues() {
        results.store(TaskResult.success("t2", NODES.arrayNode().add("a").add("b"), ResultMeta.NONE));

        assertThat(new TaskHandle("t2", results).get(Duration.ofSeconds(1), List.class)).containsExactly("a", "b");
    }

    @Test
    void aFailureWithoutAnExceptionStillFails() {
        results.store(new TaskResult("t3", TaskState.FAILURE, NODES.nullNode(), null, null, ResultMeta.NONE));

        assertThatThrownBy(() -> new TaskHandle("t3", results).get(Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> assertThat(e.remoteType()).isEqualTo("FAILURE"));
    }

    @Test
    void aFailureCarriesTheRemoteError() {
        results.store(TaskResult.failure("t4", TaskState.FAILURE,
                new RemoteError("KeyError", "builtins", List.of(NODES.stringNode("k")), "tb"), ResultMeta.NONE));

        assertThatThrownBy(() -> new TaskHandle("t4", results).get(Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.remoteType()).isEqualTo("KeyError");
                    assertThat(e.remoteMessage()).isEqualTo("k");
                    assertThat(e.remoteTraceback()).isEqualTo("tb");
                    assertThat(e.error().module()).isEqualTo("builtins");
                    assertThat(e).hasMessage("task t4 FAILURE: KeyError: k");
                });
    }

    @Test
    void aTimeoutStopsTheWait() {
        CompletableFuture<TaskResult> wait = new CompletableFuture<>();
        TaskHandle handle = new TaskHandle("t5", backendWaitingOn(wait));

        assertThatThrownBy(() -> handle.get(Duration.ofMillis(50))).isInstanceOf(TaskTimeoutException.class);
        assertThat(wait).isCancelled();
    }

    @Test
    void cancellingToFutureStopsTheWait() {
        CompletableFuture<TaskResult> wait = new CompletableFuture<>();
        CompletableFuture<JsonNode> value = new TaskHandle("t6", backendWaitingOn(wait)).toFuture();

        value.cancel(true);

        assertThat(wait).isCancelled();
    }

    @Test
    void aWaitTheBackendAbandonsIsABullpenException() {
        CompletableFuture<TaskResult> wait = new CompletableFuture<>();
        wait.cancel(false);

        assertThatThrownBy(() -> new TaskHandle("t7", backendWaitingOn(wait)).get(Duration.ofSeconds(1)))
                .isInstanceOf(BullpenException.class).hasMessageContaining("t7");
    }

    private static ResultBackend backendWaitingOn(CompletableFuture<TaskResult> wait) {
        return new ResultBackend() {
            @Override
            public boolean store(TaskResult result) {
                return true;
            }

            @Override
            public TaskResult get(String taskId) {
                return TaskResult.pending(taskId);
            }

            @Override
            public CompletableFuture<TaskResult> whenReady(String taskId) {
                return wait;
            }

            @Override
            public void forget(String taskId) {
            }

            @Override
            public void close() {
            }
        };
    }
}
