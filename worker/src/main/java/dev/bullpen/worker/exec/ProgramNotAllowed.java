package dev.bullpen.worker.exec;

/** The program is not in this worker's {@code bullpen.worker.exec.allowed-programs}; nothing was run. */
public final class ProgramNotAllowed extends CommandException {

    ProgramNotAllowed(String message) {
        super(message);
    }
}
