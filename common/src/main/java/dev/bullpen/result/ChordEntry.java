package dev.bullpen.result;

import tools.jackson.databind.JsonNode;

/**
 * One finished chord header task as Celery's Redis backend records it in
 * {@code celery-taskset-meta-<group>.j}: the JSON {@code [1, id, state, result]}.
 *
 * @param taskId the header task's id
 * @param state its final state
 * @param result its return value, or the exception on FAILURE or REVOKED
 */
public record ChordEntry(String taskId, TaskState state, JsonNode result) {

    /** True when the chord body cannot run because of this entry (FAILURE or REVOKED). */
    public boolean failed() {
        return state.propagates();
    }
}
