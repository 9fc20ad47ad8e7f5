package dev.bullpen.worker.internal.consume;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts deliveries between arrival and acknowledgement, so a stopping worker can wait for them, and
 * between arrival and the decision of what to send back, for the in-flight gauge. The two differ by
 * the moment an ack is on its way: the broker may deliver the next message as soon as it has the ack,
 * before the sender has counted it out, so a gauge of unacknowledged messages would read one over
 * the prefetch now and then; one of unsettled messages never does.
 */
final class InFlight {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition empty = lock.newCondition();
    private int count;
    private final AtomicInteger unsettled = new AtomicInteger();

    void enter() {
        unsettled.incrementAndGet();
        lock.lock();
        try {
            count++;
        } finally {
            lock.unlock();
        }
    }

    /** Its outcome is decided, before the ack or nack is sent. */
    void settled() {
        unsettled.decrementAndGet();
    }

    /** Received and not yet settled: at most the prefetch. */
    int unsettled() {
        return unsettled.get();
    }

    void exit() {
        lock.lock();
        try {
            if (--count == 0) {
                empty.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is in flight; false if the timeout passed first. */
    boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (count > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = empty.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
