package dev.bullpen.worker.exec;

/** The program is allowed but this worker has no such executable (not on its PATH, or not executable). */
public final class ProgramNotFound extends CommandException {

    ProgramNotFound(String message) {
        super(message);
    }
}
