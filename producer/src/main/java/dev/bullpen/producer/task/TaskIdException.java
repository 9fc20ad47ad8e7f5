package dev.bullpen.producer.task;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A caller's {@code task_id} that cannot be published: taken (409), or not checkable because Redis is
 * away (503). Nothing was published for the request.
 */
final class TaskIdException extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final String taskId;
    private final @Nullable Integer index;

    private TaskIdException(HttpStatus status, String title, String detail, String taskId, @Nullable Integer index,
            @Nullable Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.title = title;
        this.taskId = taskId;
        this.index = index;
    }

    /**
     * 409: a task of that id has a result, or was published and has none yet. A second one under the
     * same id would share its result (the first stored wins): a caller could forge another's result,
     * or the second caller would read the first one's.
     */
    static TaskIdException taken(String taskId, @Nullable Integer index) {
        return new TaskIdException(HttpStatus.CONFLICT, "Task id taken", (index == null ? "" : "task " + index + ": ")
                + "task_id '" + taskId + "' already has a result or a task in flight (read it at /api/tasks/" + taskId
                + "); send this task with another task_id, or with none to get a random one. A repeat of the same "
                + "request is recognised with an Idempotency-Key", taskId, index, null);
    }

    /** 503: without Redis a caller's id cannot be checked, and publishing it unchecked could let it be forged. */
    static TaskIdException unavailable(String taskId, Throwable cause) {
        return new TaskIdException(HttpStatus.SERVICE_UNAVAILABLE, "Task id store unavailable", "Redis could not be "
                + "reached to check that task_id '" + taskId + "' is free, so nothing was published: "
                + cause.getMessage(), taskId, null, cause);
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }

    String taskId() {
        return taskId;
    }

    @Nullable Integer index() {
        return index;
    }
}
