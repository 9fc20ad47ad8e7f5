package dev.bullpen.worker.exec;

/** The program ran past its timeout; it and every process it started were killed. */
public final class CommandTimeout extends CommandException {

    CommandTimeout(String message) {
        super(message);
    }
}
