package dev.bullpen.worker.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.protocol.TimeLimit;
import dev.bullpen.worker.Task;
import dev.bullpen.worker.internal.run.TaskMethod;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeLimitsTests {

    @Test
    void parsesDurationsAndPlainSecondsAsCeleryTakesThem() {
        assertThat(TimeLimits.parse("timeLimit", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(TimeLimits.parse("timeLimit", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(TimeLimits.parse("timeLimit", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(TimeLimits.parse("timeLimit", "PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TimeLimits.parse("timeLimit", "90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TimeLimits.parse("timeLimit", " 0.5 ")).isEqualTo(Duration.ofMillis(500));
        assertThat(TimeLimits.parse("timeLimit", "")).isNull();
    }

    @Test
    void aBadOrNonPositiveLimitSaysWhatToWrite() {
        assertThatThrownBy(() -> TimeLimits.parse("softTimeLimit", "soon"))
                .hasMessageContaining("@Task(softTimeLimit = \"soon\") is not a duration").hasMessageContaining("\"30s\"");
        assertThatThrownBy(() -> TimeLimits.parse("timeLimit", "0s")).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> TimeLimits.parse("timeLimit", "-5s")).hasMessageContaining("must be positive");
    }

    @Test
    void readsTheAnnotation() throws Exception {
        Task limited = Tasks.class.getDeclaredMethod("limited").getAnnotation(Task.class);
        Task plain = Tasks.class.getDeclaredMethod("plain").getAnnotation(Task.class);

        assertThat(TimeLimits.of(limited)).isEqualTo(new TimeLimits(Duration.ofSeconds(30), Duration.ofSeconds(25)));
        assertThat(TimeLimits.of(plain)).isEqualTo(TimeLimits.NONE);
        assertThat(TimeLimits.of(null).isNone()).isTrue();
    }

    @Test
    void aCallsHeaderWinsValueByValueAndZeroMeansTheTasksOwn() {
        TimeLimits task = new TimeLimits(Duration.ofSeconds(30), Duration.ofSeconds(25));

        assertThat(task.forCall(TimeLimit.NONE)).isSameAs(task);
        assertThat(task.forCall(new TimeLimit(5.0, null))).isEqualTo(new TimeLimits(Duration.ofSeconds(5), Duration.ofSeconds(25)));
        assertThat(task.forCall(new TimeLimit(null, 1.5))).isEqualTo(new TimeLimits(Duration.ofSeconds(30), Duration.ofMillis(1500)));
        assertThat(task.forCall(new TimeLimit(0.0, 0.0))).isEqualTo(task);
        assertThat(TimeLimits.NONE.forCall(new TimeLimit(20.0, 10.0)))
                .isEqualTo(new TimeLimits(Duration.ofSeconds(20), Duration.ofSeconds(10)));
    }

    @Test
    void aTaskWithABadLimitIsRefusedAtRegistration() throws Exception {
        assertThatThrownBy(() -> new TaskMethod("t.bad", new Tasks(), Tasks.class.getDeclaredMethod("bad")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("t.bad").hasMessageContaining("tomorrow");
    }

    static class Tasks {

        @Task(value = "t.limited", timeLimit = "30s", softTimeLimit = "25")
        void limited() {
        }

        @Task("t.plain")
        void plain() {
        }

        @Task(value = "t.bad", timeLimit = "tomorrow")
        void bad() {
        }
    }
}
