package dev.bullpen.worker.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code bullpen.worker.exec.*}: which programs the built-in task {@code bullpen.exec} may run on
 * this worker, and within what limits.
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
 * @param scratchRoot where each call's scratch directory is made (its working directory, deleted
 *        afterwards); {@code java.io.tmpdir} by default
 */
@ConfigurationProperties("bullpen.worker.exec")
public record ExecProperties(@Nullable List<String> allowedPrograms, @DefaultValue("60s") Duration defaultTimeout,
        @DefaultValue("10m") Duration maxTimeout, @DefaultValue("1MB") DataSize maxOutput,
        @DefaultValue("truncate") OutputOverflow outputOverflow, @Nullable Path scratchRoot) {

    /** The property that lists the allowed programs, for messages that tell an operator what to set. */
    public static final String ALLOWED_PROGRAMS = "bullpen.worker.exec.allowed-programs";

    /** What output past {@code max-output} does. */
    public enum OutputOverflow {
        /** Keep the first {@code max-output} bytes, flag the stream as truncated, let the program run on. */
        TRUNCATE,
        /** Kill the program at once and fail with {@link OutputLimitExceeded}. */
        FAIL
    }

    public ExecProperties {
        allowedPrograms = allowedPrograms == null ? List.of()
                : allowedPrograms.stream().map(String::strip).filter(name -> !name.isEmpty()).toList();
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
    }

    /** The directory under which scratch directories are made. */
    public Path effectiveScratchRoot() {
        return scratchRoot != null ? scratchRoot : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
