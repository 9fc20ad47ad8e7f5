package dev.bullpen.worker.internal.control;

import java.util.concurrent.atomic.AtomicLong;

/**
 * This worker's logical clock, as kombu's {@code LamportClock}: one per node, shared by its events
 * and its remote-control replies, so Celery's tools can order what a node says.
 */
public final class LamportClock {

    private final AtomicLong value = new AtomicLong();

    /** Ticks before sending something; returns the new time. */
    long forward() {
        return value.incrementAndGet();
    }

    /** Catches up with a clock seen on a received message, then ticks past it. */
    long adjust(long other) {
        return value.accumulateAndGet(other, (mine, theirs) -> Math.max(mine, theirs) + 1);
    }

    long value() {
        return value.get();
    }
}
