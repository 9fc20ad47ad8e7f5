package dev.bullpen.revoke;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Revocations held in this JVM only: for tests and single-process use. */
public final class InMemoryRevocations implements Revocations {

    private final Map<String, Revocation> revoked = new ConcurrentHashMap<>();
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    private final Duration ttl;
    private final Clock clock;

    /** Revocations kept for {@code ttl}. */
    public InMemoryRevocations(Duration ttl) {
        this(ttl, Clock.systemUTC());
    }

    InMemoryRevocations(Duration ttl, Clock clock) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the revocation ttl must be positive, got " + ttl);
        }
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public void revoke(String taskId, boolean terminate) {
        Instant now = clock.instant();
        Revocation revocation = new Revocation(taskId, terminate, now.plus(ttl));
        Revocation[] news = {null};
        revoked.compute(taskId, (id, previous) -> {
            Revocation current = previous == null ? revocation : previous.renewedBy(revocation, now);
            news[0] = Revocation.isNews(previous, current, now) ? current : null;
            return current;
        });
        if (news[0] != null) {
            listeners.forEach(listener -> listener.accept(news[0]));
        }
    }

    @Override
    public boolean isRevoked(String taskId) {
        Revocation revocation = revoked.get(taskId);
        return revocation != null && revocation.isActive(clock.instant());
    }

    @Override
    public void watch(Consumer<Revocation> listener) {
        listeners.add(listener);
        revoked.values().stream().filter(r -> r.isActive(clock.instant())).forEach(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
