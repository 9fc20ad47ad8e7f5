package dev.bullpen.result;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Who waits for which task's result, for a backend that is told of results as they are published.
 *
 * <p>A task can be <em>expected</em> before it is sent ({@link #expect}, while the backend is already
 * listening): its result cannot then have been stored unseen, so a later {@link #await} need not read
 * the stored value, and a result that comes before anyone waits is kept for the wait. Expectations
 * nobody claims (a task sent and never waited for) are dropped oldest first, past {@code maxUnclaimed}
 * or {@code ttl}; a wait on a dropped one reads the stored value, as a wait on any task does, so
 * dropping never loses a result, it only costs that read.
 *
 * <p>Each task's entry is only changed inside the map's {@code compute} for its id.
 */
final class ResultWaiters {

    private static final class Entry {
        final List<CompletableFuture<TaskResult>> futures = new ArrayList<>(1);
        final boolean expected;
        /** Waited for, or dropped from the expectations: no longer counted as unclaimed. */
        volatile boolean claimed;
        @Nullable TaskResult early;

        Entry(boolean expected) {
            this.expected = expected;
        }
    }

    private record Expectation(String taskId, Entry entry, long since) {
    }

    /** What {@link #await} found: the result, when it came already, and whether the stored value must be read. */
    record Await(@Nullable TaskResult early, boolean mustRead) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Expectation> expectations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unclaimed = new AtomicInteger();
    private final int maxUnclaimed;
    private final long ttlNanos;

    ResultWaiters(int maxUnclaimed, java.time.Duration ttl) {
        this.maxUnclaimed = maxUnclaimed;
        this.ttlNanos = ttl.toNanos();
    }

    /** Records that {@code taskId} is about to be sent; call only while results are being listened to. */
    void expect(String taskId) {
        boolean[] added = {false};
        Entry entry = entries.computeIfAbsent(taskId, id -> {
            added[0] = true;
            return new Entry(true);
        });
        if (added[0]) {
            unclaimed.incrementAndGet();
            expectations.add(new Expectation(taskId, entry, System.nanoTime()));
        }
        trim();
    }

    /** Registers {@code future} as waiting for {@code taskId}, unless its result came already. */
    Await await(String taskId, CompletableFuture<TaskResult> future) {
        TaskResult[] early = {null};
        boolean[] mustRead = {true};
        entries.compute(taskId, (id, entry) -> {
            Entry e = entry == null ? new Entry(false) : entry;
            if (e.expected && !e.claimed) {
                e.claimed = true;
                unclaimed.decrementAndGet();
            }
            if (e.early != null) {
                early[0] = e.early;
                return null; // its waiters, if any, were woken when it came
            }
            mustRead[0] = !e.expected;
            e.futures.add(future);
            return e;
        });
        return new Await(early[0], mustRead[0]);
    }

    /** Whether anything waits for, or expects, {@code taskId}: the cheap test before decoding its result. */
    boolean wants(String taskId) {
        return entries.containsKey(taskId);
    }

    /**
     * A ready result arrived: the futures to complete with it, which are no longer registered. A result
     * that is expected but not yet waited for is kept for its wait.
     */
    List<CompletableFuture<TaskResult>> arrived(String taskId, TaskResult result) {
        List<CompletableFuture<TaskResult>> woken = new ArrayList<>();
        entries.computeIfPresent(taskId, (id, e) -> {
            if (e.futures.isEmpty()) {
                if (e.early == null) {
                    e.early = result;
                }
                return e;
            }
            woken.addAll(e.futures);
            return null;
        });
        return woken;
    }

    /** Lets a completed or cancelled future go. */
    void remove(String taskId, CompletableFuture<TaskResult> future) {
        // Only the entry that holds it: a new expectation for the same id may have replaced it.
        entries.computeIfPresent(taskId, (id, e) -> e.futures.remove(future) && e.futures.isEmpty() ? null : e);
    }

    /** Drops the expectation of a task whose stored result was deleted, and any result kept for it. */
    void forget(String taskId) {
        entries.computeIfPresent(taskId, (id, e) -> {
            if (!e.futures.isEmpty()) {
                e.early = null;
                return e;
            }
            if (!e.claimed) {
                e.claimed = true;
                unclaimed.decrementAndGet();
            }
            return null;
        });
    }

    /** Every task id waited for or expected now. */
    Set<String> ids() {
        return Set.copyOf(entries.keySet());
    }

    /** Removes every entry; the futures that were waiting, to be failed. */
    List<CompletableFuture<TaskResult>> clear() {
        List<CompletableFuture<TaskResult>> all = new ArrayList<>();
        for (String id : Set.copyOf(entries.keySet())) {
            Entry e = entries.remove(id);
            if (e != null) {
                all.addAll(e.futures);
            }
        }
        expectations.clear();
        unclaimed.set(0);
        return all;
    }

    /** How many task ids have futures waiting. */
    int waitingTasks() {
        return (int) entries.values().stream().filter(e -> !e.futures.isEmpty()).count();
    }

    /** How many task ids are expected and not waited for yet. */
    int unclaimed() {
        return unclaimed.get();
    }

    private void trim() {
        long now = System.nanoTime();
        Expectation oldest;
        while ((oldest = expectations.peek()) != null
                && (oldest.entry().claimed || unclaimed.get() > maxUnclaimed || now - oldest.since() > ttlNanos)) {
            Expectation dropped = expectations.poll(); // the head, or one after it if another thread took it
            if (dropped == null) {
                return;
            }
            entries.computeIfPresent(dropped.taskId(), (id, e) -> {
                if (e != dropped.entry() || e.claimed) {
                    return e;
                }
                e.claimed = true;
                unclaimed.decrementAndGet();
                return null; // never waited for, so no futures: a later wait reads the stored value
            });
        }
    }
}
