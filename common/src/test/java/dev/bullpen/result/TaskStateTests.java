package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Celery's state sets (celery/states.py): READY_STATES and PROPAGATE_STATES. */
class TaskStateTests {

    @Test
    void readyStatesAreCeleryS() {
        assertThat(Arrays.stream(TaskState.values()).filter(TaskState::isReady))
                .containsExactlyInAnyOrderElementsOf(EnumSet.of(TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED));
    }

    @Test
    void propagatingStatesAreCeleryS() {
        assertThat(Arrays.stream(TaskState.values()).filter(TaskState::propagates))
                .containsExactlyInAnyOrder(TaskState.FAILURE, TaskState.REVOKED);
    }

    @Test
    void parsesWireNames() {
        for (TaskState state : TaskState.values()) {
            assertThat(TaskState.of(state.name())).isEqualTo(state);
        }
        assertThat(TaskState.of("retry")).isEqualTo(TaskState.RETRY);
        assertThatThrownBy(() -> TaskState.of("DONE")).isInstanceOf(IllegalArgumentException.class);
    }
}
