package dev.bullpen.result;

import java.util.Locale;

/**
 * Celery's task states, with the same names on the wire.
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

    /** SUCCESS, FAILURE and REVOKED: no later state will follow. */
    public boolean isReady() {
        return this == SUCCESS || this == FAILURE || this == REVOKED;
    }

    /** FAILURE and REVOKED: getting the result raises. */
    public boolean propagates() {
        return this == FAILURE || this == REVOKED;
    }

    /** Parses a wire name; an unknown one is an error. */
    public static TaskState of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
