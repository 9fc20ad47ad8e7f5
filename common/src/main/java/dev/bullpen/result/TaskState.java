package dev.bullpen.result;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Celery's task states, with the same names on the wire, and which stored state a new write may
 * replace ({@link #canMoveTo}).
 *
 * <p>{@code RECEIVED} exists only in events; a result backend never stores it. An unknown task id
 * reads as {@code PENDING}.
 */
public enum TaskState {
    /** Not known to the backend: waiting in a queue, or never sent, or its result expired. */
    PENDING,
    /** Taken by a worker (events only). */
    RECEIVED,
    /** Running; stored only when the worker tracks started tasks. */
    STARTED,
    /** Finished; the result is the return value. */
    SUCCESS,
    /** Finished with an error; the result describes the exception. */
    FAILURE,
    /** Cancelled before or while running. */
    REVOKED,
    /** Refused by a worker. */
    REJECTED,
    /** Failed and scheduled to run again. */
    RETRY,
    /** Ran, with its result deliberately not stored. */
    IGNORED;

    /** Every state a ready one is not: the steps on the way, which a later write always replaces. */
    private static final Set<TaskState> ANY = Collections.unmodifiableSet(EnumSet.allOf(TaskState.class));

    /**
     * The transition table: for each stored state, the states a later write may replace it with.
     * Both result backends refuse any other write ({@link ResultBackend#store} answers false), the
     * Redis one in its store script, which is handed this table rather than a copy of it.
     *
     * <p>Messages are delivered at least once, so writes for one task id arrive late, twice, or from
     * two runs at once: a redelivered message's STARTED after the first run's FAILURE, a slow
     * duplicate's RETRY after the other's SUCCESS. The rows make the result a reader sees the final
     * one whatever the order:
     * <ul>
     * <li>States on the way (PENDING, RECEIVED, STARTED, RETRY, REJECTED, IGNORED) are replaced by
     *     anything: a retried run goes RETRY, STARTED, RETRY again; a redelivered one STARTED twice.
     *     PENDING also stands for "nothing stored", so a first write is always taken. A state the
     *     enum does not name (a Python task's {@code update_state("PROGRESS")}) counts as one of these.
     * <li>SUCCESS is final, as in Celery's own backends since 5.1 ({@code _store_result} ignores
     *     any write over a SUCCESS): a duplicate run must not turn a delivered result into its own.
     * <li>FAILURE and REVOKED are final against states on the way (a late STARTED, RETRY or progress
     *     state must not hide an outcome a waiter was already woken with), but not against another
     *     ready state: a message redelivered after its FAILURE was stored (the worker died before the
     *     ack) runs again, and what that run ends with, a SUCCESS too, is the task's outcome; a chord
     *     body failed twice, or a task revoked again, writes the same state again.
     * </ul>
     */
    private static final Map<TaskState, Set<TaskState>> NEXT = table();

    private static Map<TaskState, Set<TaskState>> table() {
        Map<TaskState, Set<TaskState>> next = new EnumMap<>(TaskState.class);
        Set<TaskState> ready = Collections.unmodifiableSet(EnumSet.of(SUCCESS, FAILURE, REVOKED));
        for (TaskState from : values()) {
            next.put(from, switch (from) {
                case PENDING, RECEIVED, STARTED, RETRY, REJECTED, IGNORED -> ANY;
                case SUCCESS -> Set.of();
                case FAILURE, REVOKED -> ready;
            });
        }
        return Collections.unmodifiableMap(next);
    }

    /** SUCCESS, FAILURE and REVOKED: no later state will follow. */
    public boolean isReady() {
        return this == SUCCESS || this == FAILURE || this == REVOKED;
    }

    /** FAILURE and REVOKED: getting the result raises. */
    public boolean propagates() {
        return this == FAILURE || this == REVOKED;
    }

    /**
     * Whether a result stored in this state may be replaced by one in state {@code next}: a state on
     * the way by anything, SUCCESS by nothing, FAILURE and REVOKED by a ready state only. Messages are
     * delivered at least once, so this is what keeps a late or duplicate write from hiding a
     * task's outcome; {@code NEXT} in the source says why each row is what it is.
     */
    public boolean canMoveTo(TaskState next) {
        return Objects.requireNonNull(NEXT.get(this), "every state has a row").contains(next);
    }

    /** Parses a wire name; an unknown one is an error. */
    public static TaskState of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
