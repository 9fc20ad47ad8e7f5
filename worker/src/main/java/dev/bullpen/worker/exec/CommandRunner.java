package dev.bullpen.worker.exec;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one program to its end: no shell, in the work-dir if there is one (else in a fresh scratch
 * directory), with a fresh scratch directory as its {@code HOME} and {@code TMPDIR}, a small
 * environment that is not the worker's, its streams drained as they come, its whole process tree
 * killed when it is done, times out, writes too much, or the task is stopped (terminate, time
 * limit, shutdown: an interrupt of this thread). Its arguments were checked before ({@link Arguments}).
 */
final class CommandRunner {

    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

    /** How long the streams may stay open once every process we know of is gone. */
    private static final long DRAIN_GRACE_SECONDS = 5;

    /** What the environment passes on from the worker's: no credentials, just what programs need to find things. */
    private static final List<String> PASSED_ON = List.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ");

    private enum End { EXITED, TIMED_OUT, OVERFLOWED }

    private final ExecProperties properties;
    private final Map<String, String> workerEnvironment;

    CommandRunner(ExecProperties properties) {
        this(properties, System.getenv());
    }

    /** With {@code workerEnvironment} standing for the worker's own, which a test cannot set. */
    CommandRunner(ExecProperties properties, Map<String, String> workerEnvironment) {
        this.properties = properties;
        this.workerEnvironment = workerEnvironment;
    }

    /**
     * Runs {@code executable} with {@code args}.
     *
     * @throws CommandFailed on an exit code other than 0
     * @throws CommandTimeout past {@code timeout}
     * @throws OutputLimitExceeded on too much output, when overflow fails
     * @throws ProgramNotFound when the program cannot be started
     * @throws InterruptedException when the task is stopped; the process tree is killed first
     */
    CommandResult run(String program, Path executable, List<String> args, Duration timeout, @Nullable String stdin)
            throws InterruptedException {
        Path scratch = createScratch();
        try {
            return runIn(scratch, program, executable, args, timeout, stdin);
        } finally {
            delete(scratch);
        }
    }

    private CommandResult runIn(Path scratch, String program, Path executable, List<String> args, Duration timeout,
            @Nullable String stdin) throws InterruptedException {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(executable.toString());
        command.addAll(args);
        String runId = UUID.randomUUID().toString();
        Path workDir = properties.workDir();
        ProcessBuilder builder = new ProcessBuilder(command).directory((workDir != null ? workDir : scratch).toFile());
        Map<String, String> env = builder.environment();
        env.clear(); // the worker's variables hold the broker's and Redis's passwords
        PASSED_ON.forEach(name -> {
            String value = workerEnvironment.get(name);
            if (value != null) {
                env.put(name, value);
            }
        });
        env.put("HOME", scratch.toString());
        env.put("TMPDIR", scratch.toString());
        env.put(ProcessTree.MARKER, runId);

        int cap = (int) properties.maxOutput().toBytes();
        CompletableFuture<End> end = new CompletableFuture<>();
        Runnable overflow = overflowFails()
                ? () -> end.complete(End.OVERFLOWED) : () -> { };
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException ex) {
            throw new ProgramNotFound("program '" + program + "' (" + executable + ") could not be started: " + ex.getMessage());
        }
        OutputCapture out;
        OutputCapture err;
        End how;
        long exitNanos;
        int killed;
        try {
            out = OutputCapture.start("bullpen-exec-stdout-" + process.pid(), process.getInputStream(), cap, overflow);
            err = OutputCapture.start("bullpen-exec-stderr-" + process.pid(), process.getErrorStream(), cap, overflow);
            feed(process, stdin);
            process.onExit().thenRun(() -> end.complete(End.EXITED));
            try {
                how = end.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException ex) {
                how = End.TIMED_OUT;
            } catch (ExecutionException ex) {
                throw new IllegalStateException(ex.getCause());
            }
            exitNanos = System.nanoTime() - start;
        } finally {
            killed = ProcessTree.kill(process, runId); // also on an interrupt: the task was stopped
        }
        awaitStreams(program, out, err);
        if (how == End.EXITED && overflowFails() && (out.truncated() || err.truncated())) {
            how = End.OVERFLOWED; // it exited before its reader saw the overflow: the same failure, whichever came first
        }
        double seconds = exitNanos / 1e9;
        return switch (how) {
            case TIMED_OUT -> throw new CommandTimeout(program + " timed out after " + describe(timeout)
                    + "; its process tree (" + killed + " process" + (killed == 1 ? "" : "es") + ") was killed");
            case OVERFLOWED -> {
                String stream = out.truncated() ? "stdout" : "stderr";
                throw new OutputLimitExceeded(program + " wrote more than " + cap + " bytes to " + stream
                        + " (bullpen.worker.exec.max-output) and was killed, with its process tree"
                        + " (bullpen.worker.exec.output-overflow=fail)");
            }
            case EXITED -> {
                int code = process.exitValue();
                if (code != 0) {
                    throw new CommandFailed(program, code, err.text(), err.truncated());
                }
                if (out.truncated() || err.truncated()) {
                    log.info("{} wrote {} bytes to stdout and {} to stderr; kept {} of each", program, out.total(),
                            err.total(), cap);
                }
                yield new CommandResult(code, out.text(), err.text(), seconds, out.truncated(), err.truncated());
            }
        };
    }

    private boolean overflowFails() {
        return properties.outputOverflow() == ExecProperties.OutputOverflow.FAIL;
    }

    /** Writes stdin on a thread of its own (a program may write output before it reads), then closes it. */
    private static void feed(Process process, @Nullable String stdin) {
        OutputStream in = process.getOutputStream();
        if (stdin == null) {
            close(in);
            return;
        }
        byte[] bytes = stdin.getBytes(StandardCharsets.UTF_8);
        Thread.ofVirtual().name("bullpen-exec-stdin-" + process.pid()).start(() -> {
            try (in) {
                in.write(bytes);
            } catch (IOException ex) {
                // The program exited, or closed its stdin, before it read everything: its business.
            }
        });
    }

    private static void awaitStreams(String program, OutputCapture out, OutputCapture err) throws InterruptedException {
        for (OutputCapture capture : List.of(out, err)) {
            if (!capture.await(DRAIN_GRACE_SECONDS, TimeUnit.SECONDS)) {
                log.warn("{}: an output stream stayed open after its processes were killed; a process that left "
                        + "the run (cleared its environment) may still hold it", program);
                capture.abandon();
            }
        }
    }

    private Path createScratch() {
        Path root = properties.effectiveScratchRoot();
        try {
            Files.createDirectories(root);
            return Files.createTempDirectory(root, "bullpen-exec-");
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot make a scratch directory under " + root
                    + " (bullpen.worker.exec.scratch-root): " + ex.getMessage(), ex);
        }
    }

    /** Deletes the scratch directory and all in it, never following a link out of it. */
    private static void delete(Path scratch) {
        try {
            Files.walkFileTree(scratch, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    // A program may have made a directory read-only or closed: open it up to empty it.
                    File file = dir.toFile();
                    file.setReadable(true, true);
                    file.setWritable(true, true);
                    file.setExecutable(true, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException failure) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ex) {
            log.warn("Could not delete the scratch directory {}: {}", scratch, ex.toString());
        }
    }

    private static void close(OutputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Nothing to close.
        }
    }

    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : (d.toMillis() / 1000.0) + "s";
    }
}
