package dev.bullpen.worker.internal.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Concurrency slots: waiters wait for a release, and closing sends every waiter away without a slot. */
class SlotsTests {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aWaiterGetsTheSlotAnotherReleases() throws Exception {
        Slots slots = new Slots(1);
        assertThat(slots.acquire()).isTrue();
        CompletableFuture<Boolean> waiter = waitFor(slots);

        slots.release();

        assertThat(waiter.get()).isTrue();
    }

    @Test
    void closingSendsEveryWaiterAwayAndHandsOutNoMoreSlots() throws Exception {
        Slots slots = new Slots(1);
        assertThat(slots.acquire()).isTrue();
        CompletableFuture<Boolean> first = waitFor(slots);
        CompletableFuture<Boolean> second = waitFor(slots);
        await().atMost(WAIT).until(() -> slots.waiting() == 2);

        assertThat(slots.close()).as("waiting when closed").isEqualTo(2);

        assertThat(first.get()).isFalse();
        assertThat(second.get()).isFalse();
        slots.release();
        assertThat(slots.acquire()).as("a released slot after closing").isFalse();
    }

    private static CompletableFuture<Boolean> waitFor(Slots slots) {
        CompletableFuture<Boolean> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                got.complete(slots.acquire());
            } catch (InterruptedException ex) {
                got.completeExceptionally(ex);
            }
        });
        return got;
    }
}
