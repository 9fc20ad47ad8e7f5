package dev.bullpen.worker.exec;

/**
 * The program exited with a code other than 0 (128 + n when signal n killed it). The message
 * carries the code and the program's stderr, cut to its first {@value #MAX_STDERR_IN_MESSAGE} characters.
 */
public final class CommandFailed extends CommandException {

    /** How much of stderr the message quotes; the rest is in no result, as the task failed. */
    static final int MAX_STDERR_IN_MESSAGE = 8192;

    private final int exitCode;

    CommandFailed(String program, int exitCode, String stderr, boolean stderrTruncated) {
        super(program + " exited with code " + exitCode + quote(stderr, stderrTruncated));
        this.exitCode = exitCode;
    }

    /** The program's exit code. */
    public int exitCode() {
        return exitCode;
    }

    private static String quote(String stderr, boolean truncated) {
        String text = stderr.strip();
        if (text.isEmpty()) {
            return " (stderr empty)";
        }
        if (text.length() > MAX_STDERR_IN_MESSAGE) {
            return ": " + text.substring(0, MAX_STDERR_IN_MESSAGE) + "... (stderr truncated)";
        }
        return ": " + text + (truncated ? "... (stderr truncated)" : "");
    }
}
