package dev.bullpen.client;

import dev.bullpen.result.RemoteError;
import dev.bullpen.result.TaskState;

/**
 * A task ended in FAILURE or REVOKED. Carries the remote exception's type, message and traceback,
 * whichever language raised it.
 */
public class TaskFailedException extends BullpenException {

    private final String taskId;
    private final TaskState state;
    private final RemoteError error;

    public TaskFailedException(String taskId, TaskState state, RemoteError error) {
        this(taskId, state, error, "task ");
    }

    /** With {@code prefix} before the task id in the message, e.g. {@code "item 3 failed in task "}. */
    protected TaskFailedException(String taskId, TaskState state, RemoteError error, String prefix) {
        super(prefix + taskId + " " + state + ": " + error.type()
                + (error.message().isEmpty() ? "" : ": " + error.message()));
        this.taskId = taskId;
        this.state = state;
        this.error = error;
    }

    public String taskId() {
        return taskId;
    }

    public TaskState state() {
        return state;
    }

    /** The remote exception's simple type name, e.g. {@code ValueError} or {@code IllegalStateException}. */
    public String remoteType() {
        return error.type();
    }

    /** The remote exception's message. */
    public String remoteMessage() {
        return error.message();
    }

    /** The remote stack trace as text, or {@code null}. */
    public @org.jspecify.annotations.Nullable String remoteTraceback() {
        return error.traceback();
    }

    public RemoteError error() {
        return error;
    }
}
