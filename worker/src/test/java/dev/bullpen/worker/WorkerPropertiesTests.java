package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The default prefetch keeps prefetched bodies of the largest size within half the heap, never under the concurrency. */
class WorkerPropertiesTests {

    static WorkerProperties properties(List<String> queues, Integer prefetch, DataSize maxMessage) {
        return new WorkerProperties(queues, 64, prefetch, false, "w@test", Duration.ofSeconds(30), Duration.ofSeconds(2),
                Map.of(), Duration.ofSeconds(60), true, maxMessage);
    }

    @Test
    void smallMessagesKeepTwiceTheConcurrency() {
        assertThat(properties(List.of("q"), null, DataSize.ofKilobytes(1)).effectivePrefetch()).isEqualTo(128);
    }

    @Test
    void largeMessagesBringItDownToWhatHalfTheHeapHoldsButNeverUnderTheConcurrency() {
        long heap = Runtime.getRuntime().maxMemory();
        DataSize tenthOfTheHeap = DataSize.ofBytes(heap / 10);

        assertThat(properties(List.of("q"), null, tenthOfTheHeap).effectivePrefetch()).isEqualTo(64);
        assertThat(properties(List.of("q"), null, tenthOfTheHeap).prefetchedBytes()).isEqualTo(64 * (heap / 10));
        DataSize fitsHundred = DataSize.ofBytes(heap / 2 / 100);
        assertThat(properties(List.of("q"), null, fitsHundred).effectivePrefetch()).isEqualTo(100);
        assertThat(properties(List.of("q1", "q2"), null, fitsHundred).effectivePrefetch()).as("per queue").isEqualTo(64);
    }

    @Test
    void anExplicitPrefetchIsKeptAndTheLimitIsChecked() {
        assertThat(properties(List.of("q"), 10_000, DataSize.ofMegabytes(1)).effectivePrefetch()).isEqualTo(10_000);
        assertThatThrownBy(() -> properties(List.of("q"), null, DataSize.ofBytes(0)))
                .hasMessageContaining("bullpen.worker.max-message-bytes");
    }
}
