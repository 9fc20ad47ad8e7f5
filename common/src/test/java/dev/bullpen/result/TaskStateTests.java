package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
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

    /**
     * The transition table written out whole, so that a change to it is a change to this too: a
     * row is the stored state, a column the state written over it, {@code x} where the write is taken.
     */
    @Test
    void theTransitionTableIsThisMatrix() {
        List<String> matrix = List.of(
                "           PEND RECV STRT SUCC FAIL REVK REJT RTRY IGNR",
                "PENDING     x    x    x    x    x    x    x    x    x  ",
                "RECEIVED    x    x    x    x    x    x    x    x    x  ",
                "STARTED     x    x    x    x    x    x    x    x    x  ",
                "SUCCESS     .    .    .    .    .    .    .    .    .  ",
                "FAILURE     .    .    .    x    x    x    .    .    .  ",
                "REVOKED     .    .    .    x    x    x    .    .    .  ",
                "REJECTED    x    x    x    x    x    x    x    x    x  ",
                "RETRY       x    x    x    x    x    x    x    x    x  ",
                "IGNORED     x    x    x    x    x    x    x    x    x  ");
        for (int row = 0; row < TaskState.values().length; row++) {
            TaskState stored = TaskState.values()[row];
            String[] cells = matrix.get(row + 1).trim().split("\\s+");
            assertThat(cells[0]).isEqualTo(stored.name());
            for (int col = 0; col < TaskState.values().length; col++) {
                TaskState next = TaskState.values()[col];
                assertThat(stored.canMoveTo(next)).as("%s then %s", stored, next).isEqualTo(cells[col + 1].equals("x"));
            }
        }
    }

    @Test
    void noReadyStateIsReplacedByOneOnTheWayAndSuccessByNothing() {
        for (TaskState stored : TaskState.values()) {
            for (TaskState next : TaskState.values()) {
                if (stored.isReady() && !next.isReady()) {
                    assertThat(stored.canMoveTo(next)).as("%s then %s", stored, next).isFalse();
                }
                if (!stored.isReady()) {
                    assertThat(stored.canMoveTo(next)).as("%s then %s", stored, next).isTrue();
                }
            }
            assertThat(TaskState.SUCCESS.canMoveTo(stored)).isFalse();
        }
    }

    @Test
    void theRedisScriptIsToldTheSameTable() {
        assertThat(StoreScript.notReplacedBy(TaskState.STARTED)).isEqualTo("SUCCESS FAILURE REVOKED");
        assertThat(StoreScript.notReplacedBy(TaskState.SUCCESS)).isEqualTo("SUCCESS");
        for (TaskState next : TaskState.values()) {
            List<String> refused = List.of(StoreScript.notReplacedBy(next).split(" "));
            for (TaskState stored : TaskState.values()) {
                assertThat(refused.contains(stored.name())).isEqualTo(!stored.canMoveTo(next));
            }
        }
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
