package dev.bullpen.worker.exec;

import dev.bullpen.worker.Task;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in task {@code bullpen.exec(program, args=[], timeout=None, stdin=None)}, on every worker:
 * runs an allowlisted program with a list of arguments (never through a shell) and answers a
 * {@link CommandResult}. No retries: a failed command is a FAILURE at once.
 */
final class CommandTask {

    /** The task's name. */
    static final String NAME = "bullpen.exec";

    private static final Logger log = LoggerFactory.getLogger(CommandTask.class);

    private final ExecProperties properties;
    private final Programs programs;
    private final CommandRunner runner;

    CommandTask(ExecProperties properties) {
        this.properties = properties;
        this.programs = Programs.of(properties);
        this.runner = new CommandRunner(properties);
        if (programs.allowed().isEmpty()) {
            log.debug("{} allows no program; set {} to allow some", NAME, ExecProperties.ALLOWED_PROGRAMS);
        } else {
            for (String program : programs.allowed()) {
                try {
                    log.info("{} may run {} ({})", NAME, program, programs.resolve(program));
                } catch (CommandException ex) {
                    log.warn("{}: {}", NAME, ex.getMessage());
                }
            }
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
        return runner.run(program, programs.resolve(program), arguments, timeoutOf(timeout), stdin.orElse(null));
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
