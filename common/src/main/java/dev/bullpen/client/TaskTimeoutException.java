package dev.bullpen.client;

/** A task was not ready within the time its caller was willing to wait. */
public class TaskTimeoutException extends BullpenException {

    public TaskTimeoutException(String message) {
        super(message);
    }
}
