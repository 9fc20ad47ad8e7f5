package dev.bullpen.client;

import dev.bullpen.result.TaskState;

/**
 * How far a group has got.
 *
 * @param total how many members it has
 * @param done how many are finished (succeeded, failed or revoked)
 * @param failed how many failed or were revoked
 */
public record GroupProgress(int total, int done, int failed) {

    /**
     * SUCCESS when every member succeeded, FAILURE as soon as one failed, STARTED while some are done,
     * PENDING before any is.
     */
    public TaskState state() {
        if (failed > 0) {
            return TaskState.FAILURE;
        }
        if (done == total) {
            return TaskState.SUCCESS;
        }
        return done == 0 ? TaskState.PENDING : TaskState.STARTED;
    }
}
