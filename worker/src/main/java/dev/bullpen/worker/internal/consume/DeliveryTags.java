package dev.bullpen.worker.internal.consume;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The delivery tags of one channel between delivery and settlement, and what may be sent for
 * them: an ack with {@code multiple=true} covers every lower tag of the channel, so it is sent only
 * for the highest tag of a run of settled ones starting at the lowest open tag, that is once every
 * lower tag is settled. Nacks are sent one by one, and before any ack that could cover them.
 * Acks settled above a tag still running wait for it, or go one by one when {@link #take} is told to.
 *
 * <p>Not thread-safe: the caller holds a lock, and sends what {@link #take} answers in order.
 */
final class DeliveryTags {

    /** Something to send on the channel. */
    sealed interface Send {
        /** How many deliveries it settles. */
        int count();
    }

    /** {@code basicAck(tag, multiple)}; {@code count} deliveries settled by it. */
    record Ack(long tag, boolean multiple, int count) implements Send {
    }

    /** {@code basicNack(tag, false, true)}: back to the queue. */
    record Nack(long tag) implements Send {
        @Override
        public int count() {
            return 1;
        }
    }

    /** Open tags, in order; true once its delivery may be acknowledged. */
    private final TreeMap<Long, Boolean> open = new TreeMap<>();
    private final ArrayDeque<Long> nacks = new ArrayDeque<>();
    private int settledAcks;

    /** A delivery arrived; tags of a channel arrive in increasing order. */
    void delivered(long tag) {
        open.put(tag, Boolean.FALSE);
    }

    /** Its outcome is stored: it may be acknowledged. */
    void ack(long tag) {
        if (open.replace(tag, Boolean.TRUE) == Boolean.FALSE) {
            settledAcks++;
        }
    }

    /** It goes back to the queue. */
    void nack(long tag) {
        Boolean was = open.remove(tag);
        if (was != null) {
            if (was) {
                settledAcks--;
            }
            nacks.add(tag);
        }
    }

    /** True if {@link #take take(false)} would answer something. */
    boolean sendable() {
        return !nacks.isEmpty() || (!open.isEmpty() && open.firstEntry().getValue());
    }

    /** True while an ack waits above a tag still open. */
    boolean waiting() {
        return settledAcks > 0;
    }

    /** How many tags are open (delivered, not yet taken). */
    int open() {
        return open.size();
    }

    /**
     * What to send now, in the order to send it, and forgets it: the nacks, then one ack for the run
     * of settled tags from the lowest open one ({@code multiple} when it covers more than one).
     *
     * @param stragglers also the acks settled above a tag still open, one by one
     */
    List<Send> take(boolean stragglers) {
        List<Send> out = new ArrayList<>(2);
        while (!nacks.isEmpty()) {
            out.add(new Nack(nacks.poll()));
        }
        long last = 0;
        int run = 0;
        while (!open.isEmpty() && open.firstEntry().getValue()) {
            last = open.pollFirstEntry().getKey();
            run++;
        }
        if (run > 0) {
            settledAcks -= run;
            out.add(new Ack(last, run > 1, run));
        }
        if (stragglers && settledAcks > 0) {
            for (Iterator<Map.Entry<Long, Boolean>> it = open.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Boolean> e = it.next();
                if (e.getValue()) {
                    out.add(new Ack(e.getKey(), false, 1));
                    it.remove();
                }
            }
            settledAcks = 0;
        }
        return out;
    }
}
