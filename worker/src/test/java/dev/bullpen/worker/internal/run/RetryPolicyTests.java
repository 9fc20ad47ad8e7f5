package dev.bullpen.worker.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.worker.Task;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Celery's retry maths ({@code celery.utils.time.get_exponential_backoff_interval}, {@code Task.retry}). */
class RetryPolicyTests {

    @Test
    void backoffDoublesFromTheFactorAndStopsAtTheMaximum() {
        List<Long> waits = IntStream.range(0, 12)
                .mapToObj(n -> RetryPolicy.exponentialBackoff(1, n, 600, false, new Random(1)))
                .toList();

        assertThat(waits).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 512L, 600L, 600L);
    }

    @Test
    void theFactorScalesTheBackoff() {
        assertThat(RetryPolicy.exponentialBackoff(3, 0, 600, false, new Random(1))).isEqualTo(3);
        assertThat(RetryPolicy.exponentialBackoff(3, 4, 600, false, new Random(1))).isEqualTo(48);
        assertThat(RetryPolicy.exponentialBackoff(3, 8, 600, false, new Random(1))).isEqualTo(600);
    }

    @Test
    void manyRetriesNeverOverflowPastTheMaximum() {
        assertThat(RetryPolicy.exponentialBackoff(1, 62, 600, false, new Random(1))).isEqualTo(600);
        assertThat(RetryPolicy.exponentialBackoff(1, 63, 600, false, new Random(1))).isEqualTo(600);
        assertThat(RetryPolicy.exponentialBackoff(5, 1_000, 600, false, new Random(1))).isEqualTo(600);
        assertThat(RetryPolicy.exponentialBackoff(Long.MAX_VALUE / 2, 1, Long.MAX_VALUE, false, new Random(1)))
                .isPositive();
    }

    @Test
    void fullJitterDrawsEveryWholeSecondFromZeroToTheCountdown() {
        Random random = new Random(42);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            seen.add(RetryPolicy.exponentialBackoff(1, 2, 600, true, random)); // countdown 4: randrange(5)
        }

        assertThat(seen).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void fullJitterStaysUnderTheMaximum() {
        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            assertThat(RetryPolicy.exponentialBackoff(1, 20, 600, true, random)).isBetween(0L, 600L);
        }
    }

    @Test
    void withoutBackoffEveryRetryWaitsTheRetryDelay() {
        RetryPolicy policy = new RetryPolicy(List.of(IOException.class), 3, 0, 600, true, 180);

        assertThat(policy.nextDelay(0, new Random(1))).isEqualTo(Duration.ofSeconds(180));
        assertThat(policy.nextDelay(5, new Random(1))).isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void withBackoffTheDelayFollowsTheRetriesCount() {
        RetryPolicy policy = new RetryPolicy(List.of(IOException.class), 5, 2, 10, false, 180);

        assertThat(IntStream.range(0, 4).mapToObj(n -> policy.nextDelay(n, new Random(1)).toSeconds()))
                .containsExactly(2L, 4L, 8L, 10L);
    }

    @Test
    void maxRetriesCountsRetriesNotRuns() {
        RetryPolicy three = RetryPolicy.DEFAULT;

        // Celery: request.retries + 1 > max_retries fails, so max_retries=3 means 4 runs in all.
        assertThat(three.mayRetry(0)).isTrue();
        assertThat(three.mayRetry(2)).isTrue();
        assertThat(three.mayRetry(3)).isFalse();
        assertThat(new RetryPolicy(List.of(), 0, 0, 600, true, 180).mayRetry(0)).isFalse();
        assertThat(new RetryPolicy(List.of(), -1, 0, 600, true, 180).mayRetry(1_000_000)).isTrue();
    }

    @Test
    void retryForMatchesSubclassesOnly() {
        RetryPolicy policy = new RetryPolicy(List.of(IOException.class), 3, 0, 600, true, 180);

        assertThat(policy.retriesOn(new FileNotFoundException())).isTrue();
        assertThat(policy.retriesOn(new IOException())).isTrue();
        assertThat(policy.retriesOn(new UncheckedIOException(new IOException()))).isFalse();
        assertThat(RetryPolicy.DEFAULT.retriesOn(new IOException())).isFalse();
    }

    @Test
    void theAnnotationDefaultsAreCeleryDefaults() throws Exception {
        Task plain = Tasks.class.getDeclaredMethod("plain").getAnnotation(Task.class);
        Task tuned = Tasks.class.getDeclaredMethod("tuned").getAnnotation(Task.class);

        assertThat(RetryPolicy.of(plain)).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(RetryPolicy.of(null)).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(RetryPolicy.of(tuned)).isEqualTo(new RetryPolicy(List.of(IOException.class), 5, 2, 60, false, 10));
    }

    @Test
    void negativeTimesAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(List.of(), 3, -1, 600, true, 180))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBadRetrySettingFailsTheTasksRegistrationNotItsRuns() throws Exception {
        var bad = Tasks.class.getDeclaredMethod("bad");

        assertThatThrownBy(() -> new TaskMethod("bad", new Tasks(), bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
        assertThat(new TaskMethod("tuned", new Tasks(), Tasks.class.getDeclaredMethod("tuned")).retryPolicy().maxRetries())
                .isEqualTo(5);
    }

    static class Tasks {

        @Task(value = "bad", backoff = -5)
        void bad() {
        }

        @Task("plain")
        void plain() {
        }

        @Task(value = "tuned", retryFor = IOException.class, maxRetries = 5, backoff = 2, backoffMax = 60,
                jitter = false, retryDelay = 10)
        void tuned() {
        }
    }
}
