package dev.bullpen.worker.exec;

import dev.bullpen.worker.exec.ExecProperties.Operands;
import dev.bullpen.worker.exec.ExecProperties.ProgramRules;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks a call's arguments against its program's rules before anything runs. An argument that
 * starts with {@code -} must be a listed flag, or a cluster of listed one-letter flags; every
 * other argument is an operand, and a path operand must stay in the work-dir ({@link WorkDir}).
 * The first argument that fails ends the check with {@link ArgumentNotAllowed}.
 */
final class Arguments {

    /** How much of an argument a message quotes: a caller may send megabytes of one. */
    private static final int QUOTED_CHARS = 120;

    private final ExecProperties properties;

    Arguments(ExecProperties properties) {
        this.properties = properties;
    }

    /**
     * @throws ArgumentNotAllowed at the first argument the rules refuse
     * @throws java.io.UncheckedIOException when the work-dir is not a directory on this worker
     */
    void check(String program, List<String> args) {
        ProgramRules rules = properties.rulesFor(program);
        WorkDir workDir = null; // resolved once per call, at its first path operand
        for (String arg : args) {
            if (arg.indexOf('\0') >= 0) {
                throw new ArgumentNotAllowed(program + ": argument " + quote(arg) + " holds a NUL character");
            }
            if (arg.equals("-") || arg.equals("--")) {
                continue; // stdin or stdout; the end of the options
            }
            if (arg.startsWith("-")) {
                // Also after "--": a program that does not honour it would take "-f" as a flag all the same,
                // and a file whose name starts with '-' can still be named "./-f".
                checkFlag(program, rules, arg);
            } else if (rules.operands() == Operands.PATHS) {
                if (workDir == null) {
                    workDir = workDir(program, arg);
                }
                workDir.confine(program, arg);
            }
        }
    }

    private WorkDir workDir(String program, String operand) {
        if (properties.workDir() == null) {
            throw new ArgumentNotAllowed(program + ": argument " + quote(operand) + " would name a file, and this worker "
                    + "lets no call name files: it has no " + ExecProperties.WORK_DIR
                    + " (BULLPEN_WORKER_EXEC_WORKDIR), the directory whose files callers may name");
        }
        return WorkDir.open(properties.workDir());
    }

    private static void checkFlag(String program, ProgramRules rules, String arg) {
        List<String> flags = rules.flags();
        if (flags.contains(arg)) {
            return;
        }
        if (!arg.startsWith("--") && arg.length() > 2) {
            String notListed = firstNotListed(flags, arg);
            if (notListed == null) {
                return;
            }
            throw new ArgumentNotAllowed(program + ": flag " + notListed + " (in " + quote(arg) + ") is not allowed; "
                    + listed(program, flags));
        }
        throw new ArgumentNotAllowed(program + ": flag " + quote(arg) + " is not allowed; " + listed(program, flags));
    }

    /** The first letter of a cluster such as {@code -dcf} that is not a listed flag, as {@code -f}; null if all are. */
    private static @Nullable String firstNotListed(List<String> flags, String cluster) {
        for (int i = 1; i < cluster.length(); i++) {
            String flag = "-" + cluster.charAt(i);
            if (!flags.contains(flag)) {
                return quote(flag);
            }
        }
        return null;
    }

    private static String listed(String program, List<String> flags) {
        String property = "bullpen.worker.exec.programs" + (program.contains("/") ? "[" + program + "]" : "." + program) + ".flags";
        return flags.isEmpty() ? property + " lists none" : property + " is " + flags;
    }

    /**
     * An argument fit for a message: in quotes, cut to {@value #QUOTED_CHARS} characters, control
     * characters escaped, so that no argument can forge a line in a log that prints the message.
     */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("'");
        int end = Math.min(text.length(), QUOTED_CHARS);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        quoted.append('\'');
        if (text.length() > end) {
            quoted.append("... (").append(text.length()).append(" characters)");
        }
        return quoted.toString();
    }
}
