package dev.bullpen.worker.internal.consume;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker's concurrency slots, shared by all its queues. Unlike a plain semaphore it can be
 * closed: a stopping worker wakes every delivery still waiting for a slot, which then hands its
 * message back to the broker instead of starting the task after the consumers were cancelled.
 */
final class Slots {

    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition freed = lock.newCondition();
    private int free;
    private boolean closed;

    Slots(int concurrency) {
        this.free = concurrency;
    }

    /** Waits for a slot; false, at once, once the slots are closed. */
    boolean acquire() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (free == 0 && !closed) {
                freed.await();
            }
            if (closed) {
                return false;
            }
            free--;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void release() {
        lock.lock();
        try {
            free++;
            freed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** How many deliveries wait for a slot now. */
    int waiting() {
        lock.lock();
        try {
            return lock.getWaitQueueLength(freed);
        } finally {
            lock.unlock();
        }
    }

    /** No slot is handed out any more; answers how many deliveries were waiting for one. */
    int close() {
        lock.lock();
        try {
            closed = true;
            int waiting = lock.getWaitQueueLength(freed);
            freed.signalAll();
            return waiting;
        } finally {
            lock.unlock();
        }
    }
}
