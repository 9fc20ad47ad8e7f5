package dev.bullpen.worker.exec;

import dev.bullpen.worker.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in task {@code bullpen.exec(program, args=[], timeout=None, stdin=None)}, on every worker:
 * runs an allowlisted program with a list of arguments (never through a shell), each checked
 * against the program's flags and the work-dir first, and answers a {@link CommandResult}. No
 * retries: a failed command is a FAILURE at once.
 */
final class CommandTask {

    /** The task's name. */
    static final String NAME = "bullpen.exec";

    private static final Logger log = LoggerFactory.getLogger(CommandTask.class);

    private final ExecProperties properties;
    private final Programs programs;
    private final Arguments argumentRules;
    private final CommandRunner runner;

    CommandTask(ExecProperties properties) {
        this.properties = properties;
        this.programs = Programs.of(properties);
        this.argumentRules = new Arguments(properties);
        this.runner = new CommandRunner(properties);
        if (programs.allowed().isEmpty()) {
            log.debug("{} allows no program; set {} to allow some", NAME, ExecProperties.ALLOWED_PROGRAMS);
            return;
        }
        for (String program : programs.allowed()) {
            try {
                ExecProperties.ProgramRules rules = properties.rulesFor(program);
                log.info("{} may run {} ({}) with flags {} and operands {}", NAME, program, programs.resolve(program),
                        rules.flags(), rules.operands() == ExecProperties.Operands.UNCHECKED ? "unchecked"
                                : properties.workDir() != null ? "in " + properties.workDir() : "naming no file");
            } catch (CommandException ex) {
                log.warn("{}: {}", NAME, ex.getMessage());
            }
        }
        if (properties.workDir() != null && !Files.isDirectory(properties.workDir())) {
            log.warn("{}: {} ({}) is not a directory (yet): every call fails until it is", NAME,
                    ExecProperties.WORK_DIR, properties.workDir());
        }
    }

    /**
     * @param program a name from {@code bullpen.worker.exec.allowed-programs}
     * @param args the arguments, each passed to the program as it is
     * @param timeout seconds the program may run; {@code default-timeout} if left out, at most {@code max-timeout}
     * @param stdin text for the program's stdin, as UTF-8; none (stdin closed) if left out
     */
    @Task(NAME)
    CommandResult exec(String program, Optional<List<String>> args, Optional<Double> timeout, Optional<String> stdin)
            throws InterruptedException {
        if (program == null) {
            throw new IllegalArgumentException(NAME + "() argument 'program' must be a program's name, got None");
        }
        List<String> arguments = args.orElse(List.of());
        if (arguments.stream().anyMatch(Objects::isNull)) { // List.of().contains(null) would throw
            throw new IllegalArgumentException(NAME + "() argument 'args' must be a list of strings, got a None in it");
        }
        Path executable = programs.resolve(program);
        argumentRules.check(program, arguments);
        return runner.run(program, executable, arguments, timeoutOf(timeout), stdin.orElse(null));
    }

    private Duration timeoutOf(Optional<Double> seconds) {
        if (seconds.isEmpty()) {
            return properties.defaultTimeout();
        }
        double value = seconds.get();
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(NAME + "() argument 'timeout' must be a positive number of seconds, got " + value);
        }
        Duration timeout = Duration.ofNanos(Math.round(value * 1e9));
        if (timeout.compareTo(properties.maxTimeout()) > 0) {
            throw new IllegalArgumentException(NAME + "() argument 'timeout' (" + value + " s) is over this worker's "
                    + "bullpen.worker.exec.max-timeout (" + CommandRunner.describe(properties.maxTimeout()) + ")");
        }
        return timeout;
    }
}
