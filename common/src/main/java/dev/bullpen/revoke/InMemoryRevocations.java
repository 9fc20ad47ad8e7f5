package dev.bullpen.revoke;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Revocations held in this JVM only: for tests and single-process use. Capped like
 * {@link RedisRevocations}: past the cap the ids revoked longest ago are dropped and counted.
 */
public final class InMemoryRevocations implements Revocations {

    /** In order of their last revocation, oldest first: the order they are dropped in. */
    private final LinkedHashMap<String, Revocation> revoked = new LinkedHashMap<>();
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    private final Duration ttl;
    private final int max;
    private final Counter dropped;
    private final Clock clock;

    /** Revocations kept for {@code ttl}, at most {@link RedisRevocations#DEFAULT_MAX}. */
    public InMemoryRevocations(Duration ttl) {
        this(ttl, RedisRevocations.DEFAULT_MAX, Metrics.globalRegistry);
    }

    /**
     * @param ttl how long a revocation holds
     * @param max how many are kept at most; beyond it the oldest are dropped
     * @param meters where {@link dev.bullpen.metrics.MeterNames#REVOCATIONS_DROPPED} is counted
     */
    public InMemoryRevocations(Duration ttl, int max, MeterRegistry meters) {
        this(ttl, max, meters, Clock.systemUTC());
    }

    InMemoryRevocations(Duration ttl, Clock clock) {
        this(ttl, RedisRevocations.DEFAULT_MAX, Metrics.globalRegistry, clock);
    }

    private InMemoryRevocations(Duration ttl, int max, MeterRegistry meters, Clock clock) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the revocation ttl must be positive, got " + ttl);
        }
        if (max < 1) {
            throw new IllegalArgumentException("the revocation cap must be at least 1, got " + max);
        }
        this.ttl = ttl;
        this.max = max;
        this.dropped = RevocationMeters.dropped(meters);
        this.clock = clock;
    }

    @Override
    public void revoke(String taskId, boolean terminate) {
        Instant now = clock.instant();
        Revocation revocation = new Revocation(taskId, terminate, now.plus(ttl));
        Revocation news;
        synchronized (revoked) {
            // Removed and put again, so that a renewed id counts as the newest, as in Redis's index.
            Revocation previous = revoked.remove(taskId);
            Revocation current = previous == null ? revocation : previous.renewedBy(revocation, now);
            news = Revocation.isNews(previous, current, now) ? current : null;
            revoked.put(taskId, current);
            dropOldest(now);
        }
        if (news != null) {
            listeners.forEach(listener -> listener.accept(news));
        }
    }

    /**
     * Expired ones go first (with one time to live they are the oldest, at the head), then the oldest
     * beyond the cap, counted.
     */
    private void dropOldest(Instant now) {
        Iterator<Revocation> oldestFirst = revoked.values().iterator();
        while (oldestFirst.hasNext()) {
            Revocation oldest = oldestFirst.next();
            if (oldest.isActive(now) && revoked.size() <= max) {
                return;
            }
            oldestFirst.remove();
            if (oldest.isActive(now)) {
                dropped.increment();
            }
        }
    }

    @Override
    public boolean isRevoked(String taskId) {
        Revocation revocation;
        synchronized (revoked) {
            revocation = revoked.get(taskId);
        }
        return revocation != null && revocation.isActive(clock.instant());
    }

    @Override
    public void watch(Consumer<Revocation> listener) {
        listeners.add(listener);
        List<Revocation> active;
        synchronized (revoked) {
            active = revoked.values().stream().filter(r -> r.isActive(clock.instant())).toList();
        }
        active.forEach(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
