package dev.bullpen.worker.exec;

/**
 * An argument this worker does not pass to the program: a flag that is not in the program's
 * {@code bullpen.worker.exec.programs.<name>.flags}, or a path operand that is absolute, climbs
 * with {@code ..}, leads out of {@code bullpen.worker.exec.work-dir} (through a symbolic or hard
 * link), or names a file when there is no work-dir. Nothing was run.
 */
public final class ArgumentNotAllowed extends CommandException {

    ArgumentNotAllowed(String message) {
        super(message);
    }
}
