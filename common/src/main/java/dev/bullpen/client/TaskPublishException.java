package dev.bullpen.client;

import org.jspecify.annotations.Nullable;
/**
 * The broker did not take a task: unreachable, refused it (nack), could not route it to a queue, or
 * did not confirm in time. The task may or may not have been queued only in the last case.
 */
public class TaskPublishException extends BullpenException {

    public TaskPublishException(String message) {
        super(message);
    }

    public TaskPublishException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
