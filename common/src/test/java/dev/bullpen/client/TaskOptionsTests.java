package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TaskOptionsTests {

    private static final Instant NOW = Instant.parse("2026-11-25T08:00:00Z");

    @Test
    void runsNowByDefault() {
        assertThat(TaskOptions.defaults().startAfter(NOW)).isNull();
        assertThat(TaskOptions.defaults().countdown(Duration.ZERO).startAfter(NOW)).isNull();
    }

    @Test
    void aCountdownCountsFromNow() {
        assertThat(TaskOptions.defaults().countdown(Duration.ofSeconds(30)).startAfter(NOW)).isEqualTo(NOW.plusSeconds(30));
    }

    @Test
    void anEtaWinsOverACountdown() {
        Instant eta = NOW.plusSeconds(5);
        assertThat(TaskOptions.defaults().countdown(Duration.ofSeconds(30)).eta(eta).startAfter(NOW)).isEqualTo(eta);
    }

    @Test
    void withMethodsCopy() {
        TaskOptions options = TaskOptions.defaults().queue("q").priority(3).taskId("id").ignoreResult(true)
                .timeLimit(Duration.ofSeconds(2)).softTimeLimit(Duration.ofSeconds(1));

        assertThat(options).isEqualTo(new TaskOptions("q", null, null, null, 3, "id", Duration.ofSeconds(2),
                Duration.ofSeconds(1), true, null));
        assertThat(TaskOptions.defaults().queue()).isNull();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> TaskOptions.defaults().priority(256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskOptions.defaults().priority(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskOptions.defaults().countdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskClientSettings("celery", Duration.ofSeconds(1), 0, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskOptions.defaults().worker(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskOptions.defaults().queue("q").worker("w@h"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w@h.dq2");
    }

    @Test
    void aWorkerIsKeptByTheOtherOptions() {
        TaskOptions options = TaskOptions.defaults().worker("bullpen@host-1").priority(2).countdown(Duration.ofSeconds(1));

        assertThat(options.worker()).isEqualTo("bullpen@host-1");
        assertThat(options.queue()).isNull();
    }
}
