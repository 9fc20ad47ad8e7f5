package dev.bullpen.worker.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code bullpen.worker.exec.*}: which programs the built-in task {@code bullpen.exec} may run on
 * this worker, with what arguments, and within what limits.
 *
 * @param allowedPrograms the programs callers may name: a plain name (e.g. {@code gzip}) resolves
 *        on the worker's {@code PATH} when called; an absolute path (e.g. {@code /usr/bin/gzip}) is
 *        allowed as given. Empty by default, which makes every call a FAILURE
 *        {@code ProgramNotAllowed}. In the environment: {@code BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS=gzip,sha256sum}
 * @param defaultTimeout how long a call that names no {@code timeout} may run
 * @param maxTimeout the longest {@code timeout} a call may ask for; a longer one is refused
 * @param maxOutput how much of each of stdout and stderr is kept; what a program writes past it
 *        is read and counted, not kept
 * @param outputOverflow what output past {@code maxOutput} does: {@code truncate} (the default)
 *        keeps the first {@code maxOutput} bytes and flags the stream as truncated in the result;
 *        {@code fail} kills the program at once and fails the task with {@code OutputLimitExceeded}
 * @param scratchRoot where each call's scratch directory is made ({@code HOME} and {@code TMPDIR},
 *        and the working directory when there is no {@code workDir}; deleted afterwards);
 *        {@code java.io.tmpdir} by default
 * @param workDir the one directory whose files callers may name (an absolute path; e.g. a volume
 *        the workers share): programs run in it, and each path operand must name, relatively, a
 *        file that stays in it once every link is resolved. None by default: then no call may
 *        name a file at all (stdin and stdout still work)
 * @param programs per allowed program, keyed by its name as {@code allowedPrograms} lists it:
 *        which flags a caller may pass, and what its operands are. A program without an entry
 *        takes no flags, and operands only as paths in {@code workDir}
 */
@ConfigurationProperties("bullpen.worker.exec")
public record ExecProperties(List<String> allowedPrograms, @DefaultValue("60s") Duration defaultTimeout,
        @DefaultValue("10m") Duration maxTimeout, @DefaultValue("1MB") DataSize maxOutput,
        @DefaultValue("truncate") OutputOverflow outputOverflow, @Nullable Path scratchRoot, @Nullable Path workDir,
        Map<String, ProgramRules> programs) {

    /** The property that lists the allowed programs, for messages that tell an operator what to set. */
    public static final String ALLOWED_PROGRAMS = "bullpen.worker.exec.allowed-programs";

    /** The property that confines path operands, for messages that tell an operator what to set. */
    public static final String WORK_DIR = "bullpen.worker.exec.work-dir";

    /** What output past {@code max-output} does. */
    public enum OutputOverflow {
        /** Keep the first {@code max-output} bytes, flag the stream as truncated, let the program run on. */
        TRUNCATE,
        /** Kill the program at once and fail with {@link OutputLimitExceeded}. */
        FAIL
    }

    /** What a program's operands (its arguments that are not flags) are. */
    public enum Operands {
        /** Files in {@code work-dir}, named relatively; checked before the program starts. */
        PATHS,
        /**
         * Passed on unchecked: for a program that opens no file its operands name ({@code echo}), or
         * one trusted with every file the worker's user can reach (a shell given {@code -c}).
         */
        UNCHECKED
    }

    /**
     * What a caller may pass to one allowed program: {@code bullpen.worker.exec.programs.<name>.*},
     * in the environment {@code BULLPEN_WORKER_EXEC_PROGRAMS_GZIP_FLAGS=-c,-d,-k}.
     *
     * @param flags the flags a caller may pass, each matched exactly as listed ({@code -k},
     *        {@code --keep}, {@code --level=9}); a cluster of short flags ({@code -dk}) passes when
     *        each of its letters is listed. A flag is a capability: leave out any that names a file
     *        by itself or changes which files are written ({@code gzip -f}, {@code -S}, {@code -r})
     * @param operands {@code paths} (the default) or {@code unchecked}
     */
    public record ProgramRules(List<String> flags, Operands operands) {

        static final ProgramRules NONE = new ProgramRules(List.of(), Operands.PATHS);

        public ProgramRules {
            flags = flags == null ? List.of() : flags.stream().map(String::strip).filter(flag -> !flag.isEmpty()).toList();
            operands = operands == null ? Operands.PATHS : operands;
        }
    }

    public ExecProperties {
        allowedPrograms = allowedPrograms == null ? List.of()
                : allowedPrograms.stream().map(String::strip).filter(name -> !name.isEmpty()).toList();
        programs = programs == null ? Map.of() : Map.copyOf(programs);
        for (String name : allowedPrograms) {
            if (name.contains("/") && !Path.of(name).isAbsolute()) {
                throw new IllegalArgumentException(ALLOWED_PROGRAMS + ": '" + name
                        + "' is neither a plain name (found on PATH) nor an absolute path");
            }
        }
        if (!defaultTimeout.isPositive()) {
            throw new IllegalArgumentException("bullpen.worker.exec.default-timeout must be positive, got " + defaultTimeout);
        }
        if (maxTimeout.compareTo(defaultTimeout) < 0) {
            throw new IllegalArgumentException("bullpen.worker.exec.max-timeout (" + maxTimeout
                    + ") must not be shorter than default-timeout (" + defaultTimeout + ")");
        }
        if (maxOutput.toBytes() < 0 || maxOutput.toBytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bullpen.worker.exec.max-output must be between 0 and 2 GB, got " + maxOutput);
        }
        if (workDir != null && !workDir.isAbsolute()) {
            // Relative to what? The worker's own working directory differs between a shell and an image.
            throw new IllegalArgumentException(WORK_DIR + " must be an absolute path, got '" + workDir + "'");
        }
        validate(allowedPrograms, programs);
    }

    private static void validate(List<String> allowedPrograms, Map<String, ProgramRules> programs) {
        programs.forEach((name, rules) -> {
            if (!allowedPrograms.contains(name)) {
                // A typo here would otherwise leave the real program with no flags, silently.
                throw new IllegalArgumentException("bullpen.worker.exec.programs has rules for '" + name + "', which "
                        + ALLOWED_PROGRAMS + " " + allowedPrograms + " does not list");
            }
            for (String flag : rules.flags()) {
                if (!flag.startsWith("-") || flag.equals("-") || flag.equals("--") || flag.chars().anyMatch(
                        c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                    throw new IllegalArgumentException("bullpen.worker.exec.programs." + name + ".flags: '" + flag
                            + "' is no flag (one like -k or --keep, without spaces; '-' and '--' always pass)");
                }
            }
        });
    }

    /** The rules for {@code program}, named as the allowlist has it. */
    public ProgramRules rulesFor(String program) {
        return programs.getOrDefault(program, ProgramRules.NONE);
    }

    /** The directory under which scratch directories are made. */
    public Path effectiveScratchRoot() {
        return scratchRoot != null ? scratchRoot : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
