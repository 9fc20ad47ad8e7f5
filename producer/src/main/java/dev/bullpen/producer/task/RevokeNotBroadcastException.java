package dev.bullpen.producer.task;

import dev.bullpen.client.TaskPublishException;

/**
 * A revoke stored in Bullpen's revocations whose Celery remote-control broadcast did not reach the
 * broker: Bullpen workers honour it, Python Celery workers did not hear it. Answered 503, since
 * revoking again is harmless and reaches them once the broker is back.
 */
final class RevokeNotBroadcastException extends RuntimeException {

    private final String taskId;

    RevokeNotBroadcastException(String taskId, TaskPublishException cause) {
        super(cause.getMessage(), cause);
        this.taskId = taskId;
    }

    String taskId() {
        return taskId;
    }
}
