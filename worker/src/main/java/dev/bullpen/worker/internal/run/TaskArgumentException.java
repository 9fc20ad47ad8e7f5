package dev.bullpen.worker.internal.run;

/** The call does not fit the task's signature. Reported as Python's {@code TypeError}. */
final class TaskArgumentException extends RuntimeException {

    TaskArgumentException(String message) {
        super(message);
    }

    TaskArgumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
