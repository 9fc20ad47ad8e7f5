package dev.bullpen.worker.internal.consume;

import java.util.concurrent.Semaphore;

/**
 * Bounds how many bytes of message bodies a worker decodes and runs at once. A decoded message is
 * many times its body (a JSON array of empty objects, some 30 times), and a worker decodes every
 * prefetched delivery at once: without a bound, a burst of large messages would take the heap, however
 * small each is. Each delivery takes its body's size in KiB before decoding and gives it back once
 * settled; a body under 1 KiB takes nothing, so the common small task never waits here.
 */
final class BodyBudget {

    private final Semaphore kib;
    private final int total;

    /** @param bytes how many body bytes may be decoded and held at once; at least one body's worth is let through */
    BodyBudget(long bytes) {
        this.total = (int) Math.clamp(bytes / 1024, 1, Integer.MAX_VALUE);
        this.kib = new Semaphore(total, true);
    }

    /**
     * The budget for a worker whose bodies are at most {@code maxBody} bytes: a 256th of the heap (a
     * hostile body, all empty JSON objects, decodes to some 30 times its size: an eighth of the heap
     * at most, beside the half prefetched bodies may hold), or one body.
     */
    static BodyBudget forHeap(long maxBody) {
        return new BodyBudget(Math.max(maxBody, Runtime.getRuntime().maxMemory() / 256));
    }

    /** Waits for room for a body of {@code bytes}; answers what to {@link #giveBack}. */
    int take(int bytes) throws InterruptedException {
        int charge = Math.min(total, bytes / 1024);
        if (charge > 0) {
            kib.acquire(charge);
        }
        return charge;
    }

    void giveBack(int charge) {
        if (charge > 0) {
            kib.release(charge);
        }
    }
}
