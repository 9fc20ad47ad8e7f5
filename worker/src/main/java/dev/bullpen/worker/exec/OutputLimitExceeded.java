package dev.bullpen.worker.exec;

/**
 * The program wrote more than {@code bullpen.worker.exec.max-output} to stdout or stderr while
 * {@code bullpen.worker.exec.output-overflow=fail}; it and every process it started were killed.
 */
public final class OutputLimitExceeded extends CommandException {

    OutputLimitExceeded(String message) {
        super(message);
    }
}
