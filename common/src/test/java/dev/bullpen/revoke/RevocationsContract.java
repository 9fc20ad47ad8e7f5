package dev.bullpen.revoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.metrics.MeterNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Revocations} must do. Extend it and say how to make one, and a peer: another
 * instance over the same store (another worker), or the same instance where there is no store.
 */
public abstract class RevocationsContract {

    /** How long a revocation may take to reach a watcher: a bound against hanging, not a speed test. */
    protected static final Duration REACH = Duration.ofSeconds(10);

    protected Revocations revocations;
    protected Revocations peer;
    private final List<Revocation> heard = new CopyOnWriteArrayList<>();

    /** A new instance for one test. */
    protected abstract Revocations createRevocations();

    /** An instance over the same store as {@code revocations}; closed after the test if it is another one. */
    protected abstract Revocations createPeer(Revocations revocations);

    /**
     * A new instance over a store of its own (no other test's ids in it) that keeps at most
     * {@code max} revocations and counts those it drops in {@code meters}; closed by the test.
     */
    protected abstract Revocations createCapped(int max, MeterRegistry meters);

    @BeforeEach
    void open() {
        revocations = createRevocations();
        peer = createPeer(revocations);
    }

    @AfterEach
    void close() {
        if (peer != revocations) {
            peer.close();
        }
        revocations.close();
    }

    protected static String newTaskId() {
        return UUID.randomUUID().toString();
    }

    @Test
    void anUnknownIdIsNotRevoked() {
        assertThat(revocations.isRevoked(newTaskId())).isFalse();
    }

    @Test
    void aRevokedIdIsRevoked() {
        String id = newTaskId();

        revocations.revoke(id, false);

        assertThat(revocations.isRevoked(id)).isTrue();
        assertThat(revocations.isRevoked(newTaskId())).isFalse();
    }

    @Test
    void aWatcherLoadsWhatWasRevokedBeforeItStarted() {
        String id = newTaskId();
        revocations.revoke(id, true);

        peer.watch(heard::add);

        assertThat(peer.isRevoked(id)).as("known once watch returns").isTrue();
        assertThat(heard).anySatisfy(r -> {
            assertThat(r.taskId()).isEqualTo(id);
            assertThat(r.terminate()).isTrue();
        });
    }

    @Test
    void aWatcherHearsOfLaterRevocationsOnceEach() {
        peer.watch(heard::add);
        String id = newTaskId();

        revocations.revoke(id, false);
        revocations.revoke(id, false);

        await().atMost(REACH).until(() -> peer.isRevoked(id));
        await().atMost(REACH).until(() -> heard.stream().anyMatch(r -> r.taskId().equals(id)));
        String marker = newTaskId();
        revocations.revoke(marker, false); // arrives after both, so any second call would be in by then
        await().atMost(REACH).until(() -> heard.stream().anyMatch(r -> r.taskId().equals(marker)));
        assertThat(heard).filteredOn(r -> r.taskId().equals(id)).singleElement()
                .satisfies(r -> assertThat(r.terminate()).isFalse());
    }

    @Test
    void terminatingAnAlreadyRevokedIdIsNewsAndSticks() {
        peer.watch(heard::add);
        String id = newTaskId();
        revocations.revoke(id, false);
        await().atMost(REACH).until(() -> heard.stream().anyMatch(r -> r.taskId().equals(id)));

        revocations.revoke(id, true);

        await().atMost(REACH).until(() -> heard.stream().anyMatch(r -> r.taskId().equals(id) && r.terminate()));
        assertThat(heard).filteredOn(r -> r.taskId().equals(id)).hasSize(2);
    }

    @Test
    void theRevocationExpiresAfterItsTimeToLive() {
        String id = newTaskId();
        peer.watch(heard::add);

        revocations.revoke(id, false);

        await().atMost(REACH).until(() -> heard.stream().anyMatch(r -> r.taskId().equals(id)));
        Revocation heardOf = heard.stream().filter(r -> r.taskId().equals(id)).findFirst().orElseThrow();
        assertThat(heardOf.expiresAt()).isBetween(java.time.Instant.now().plus(timeToLive()).minusSeconds(60),
                java.time.Instant.now().plus(timeToLive()).plusSeconds(1));
    }

    @Test
    void beyondTheCapTheOldestAreDroppedAndCounted() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<String> ids = List.of(newTaskId(), newTaskId(), newTaskId(), newTaskId(), newTaskId());
        try (Revocations capped = createCapped(3, meters)) {
            ids.forEach(id -> capped.revoke(id, false));

            assertThat(ids).map(capped::isRevoked).containsExactly(false, false, true, true, true);
            assertThat(meters.counter(MeterNames.REVOCATIONS_DROPPED).count()).isEqualTo(2.0);
            try (Revocations watcher = createPeer(capped)) {
                List<Revocation> loaded = new CopyOnWriteArrayList<>();
                watcher.watch(loaded::add);
                assertThat(loaded).map(Revocation::taskId).containsExactlyInAnyOrderElementsOf(ids.subList(2, 5));
            }
        }
    }

    @Test
    void aRenewedRevocationCountsAsTheNewest() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        String first = newTaskId();
        String second = newTaskId();
        String third = newTaskId();
        try (Revocations capped = createCapped(2, meters)) {
            capped.revoke(first, false);
            capped.revoke(second, false);
            capped.revoke(first, false);
            capped.revoke(third, false);

            assertThat(capped.isRevoked(first)).as("renewed after the second").isTrue();
            assertThat(capped.isRevoked(second)).as("the oldest").isFalse();
            assertThat(capped.isRevoked(third)).isTrue();
            assertThat(meters.counter(MeterNames.REVOCATIONS_DROPPED).count()).isEqualTo(1.0);
        }
    }

    /** The time to live the instances were made with. */
    protected abstract Duration timeToLive();
}
