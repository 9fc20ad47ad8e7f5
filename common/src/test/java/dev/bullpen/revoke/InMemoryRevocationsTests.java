package dev.bullpen.revoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The in-memory revocations pass the same contract as Redis's, and forget after their time to live. */
class InMemoryRevocationsTests extends RevocationsContract {

    private static final Duration TTL = Duration.ofHours(1);

    @Override
    protected Revocations createRevocations() {
        return new InMemoryRevocations(TTL);
    }

    @Override
    protected Revocations createPeer(Revocations revocations) {
        return revocations;
    }

    @Override
    protected Revocations createCapped(int max, MeterRegistry meters) {
        return new InMemoryRevocations(TTL, max, meters);
    }

    @Override
    protected Duration timeToLive() {
        return TTL;
    }

    @Test
    void anExpiredRevocationNoLongerHolds() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryRevocations shortLived = new InMemoryRevocations(Duration.ofMinutes(5), clock);
        shortLived.revoke("a", false);

        clock.now = clock.now.plus(Duration.ofMinutes(5));

        assertThat(shortLived.isRevoked("a")).isFalse();
    }

    @Test
    void aTimeToLiveMustBePositive() {
        assertThatThrownBy(() -> new InMemoryRevocations(Duration.ZERO)).hasMessageContaining("positive");
    }

    @Test
    void aCapMustBePositive() {
        assertThatThrownBy(() -> new InMemoryRevocations(TTL, 0, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                .hasMessageContaining("at least 1");
    }

    private static final class MutableClock extends Clock {

        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
