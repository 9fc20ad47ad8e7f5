package dev.bullpen.worker.exec;

/**
 * Why a {@code bullpen.exec} call failed. Each subtype's simple name is the FAILURE's exception
 * type, as Celery clients see it ({@code exc_type}); none is retried.
 */
public abstract sealed class CommandException extends RuntimeException
        permits ProgramNotAllowed, ArgumentNotAllowed, ProgramNotFound, CommandTimeout, CommandFailed,
        OutputLimitExceeded {

    CommandException(String message) {
        super(message);
    }
}
