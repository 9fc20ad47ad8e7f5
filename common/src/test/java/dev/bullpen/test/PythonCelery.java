package dev.bullpen.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Real Python Celery 5.2 (Debian's python3-celery) from a test: a client script or {@code celery}
 * command run to its end ({@link #run}, {@link #client}), and the environment and files a
 * {@link PythonCeleryWorker} and its clients share. Python's Celery missing fails the test, saying what to
 * install ({@link #requireCelery}). A test that uses it is {@link NeedsPython}, run with {@code -Ppython}.
 *
 * <pre>{@code
 * String out = PythonCelery.run(script.toString(), services.amqpUri().toString(), redis, queue);
 * JsonNode last = CeleryJson.mapper().readTree(PythonCelery.lastLine(out));
 * }</pre>
 */
public final class PythonCelery {

    /**
     * The Python side's clock and Celery {@code timezone}; not UTC on purpose, so that an eta read as
     * local time rather than as the UTC instant Bullpen means would run the task hours early.
     */
    public static final String TIMEZONE = "Asia/Kolkata";

    /** The tasks module ({@code interop/bullpen_pytasks.py}, a test resource) a Python worker runs. */
    static final String MODULE = "bullpen_pytasks";

    /** What to install, for every message about a missing or broken Python Celery. */
    static final String INSTALL = "apt-get install python3-celery python3-redis (or pip install 'celery[redis]')";

    private static final String NEEDS = "needs Debian's python3-celery and python3-redis: " + INSTALL;

    /** The check's answer, once: null until it has run, then empty when Celery imports, else why not. */
    private static volatile @Nullable String missing;

    private PythonCelery() {
    }

    /**
     * The Python that runs Celery: {@code $BULLPEN_PYTHON} when set (say a virtualenv's
     * {@code bin/python}), else Debian's {@code /usr/bin/python3}, else the first {@code python3} on the PATH.
     */
    public static String executable() {
        String configured = System.getenv("BULLPEN_PYTHON");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
    }

    /**
     * Fails, with an {@link IllegalStateException} saying what to install, unless {@link #executable()}
     * imports {@code celery} and {@code redis}. Checked once per JVM (the answer is kept); every run of a
     * client or worker calls it first, so a machine without Celery fails each such test, at once and
     * plainly, rather than with a script's traceback or a worker that never consumes.
     */
    public static void requireCelery() {
        String answer = missing;
        if (answer == null) {
            synchronized (PythonCelery.class) {
                answer = missing;
                if (answer == null) {
                    answer = checkCelery(executable());
                    missing = answer;
                }
            }
        }
        if (!answer.isEmpty()) {
            throw new IllegalStateException("Python's Celery is missing: " + INSTALL
                    + "; these tests run with -Ppython (" + answer + ")");
        }
    }

    /** Empty when {@code python -c 'import celery, redis'} exits 0 within a minute, else what went wrong. */
    private static String checkCelery(String python) {
        String imports = "import celery, redis";
        List<String> command = List.of(python, "-c", imports);
        String shown = python + " -c '" + imports + "'";
        try {
            Path output = Files.createTempFile("bullpen-python-check-", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    return shown + " did not finish within 60 s";
                }
                if (process.exitValue() == 0) {
                    return "";
                }
                // The traceback's last line says it: ModuleNotFoundError: No module named 'celery'.
                String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).strip();
                return shown + " exited with " + process.exitValue() + (text.isEmpty() ? "" : ": " + lastLine(text));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException ex) {
            return python + " did not start: " + ex.getMessage();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted checking for Python's Celery", ex);
        }
    }

    /** Runs {@code python3 args...} within 60 s, failing the test unless it exits 0; its output. */
    public static String run(String... args) {
        return client(args).run();
    }

    /** A run of {@code python3 args...} to set up further. */
    public static Client client(String... args) {
        return new Client(List.of(args));
    }

    /** The last line of a script's output: where the interop scripts print their JSON answer. */
    public static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }

    /**
     * What {@code bullpen_pytasks} reads: the services' broker, Redis and key prefix, with the module's
     * folder on PYTHONPATH, so that a Python client importing its {@code app} shares the worker's results.
     */
    public static void environment(Map<String, String> env, BullpenServices services, Path moduleDir) {
        env.put("PYTHONPATH", moduleDir.toString());
        env.put("TZ", TIMEZONE);
        env.put("BULLPEN_BROKER_URL", services.amqpUri().toString());
        env.put("BULLPEN_RESULT_URL", redisUrl(services));
        env.put("BULLPEN_KEY_PREFIX", services.redisPrefix());
    }

    /** The services' Redis as Celery's result backend URL, database included. */
    public static String redisUrl(BullpenServices services) {
        return "redis://" + services.redisUri().getHost() + ":" + services.redisUri().getPort() + "/"
                + services.redisDatabase();
    }

    /** Copies the tasks module and the test resources {@code interop/<name>} beside it into {@code dir}. */
    public static void copyModule(Path dir, String... resources) throws IOException {
        List<String> names = new ArrayList<>(List.of(MODULE + ".py"));
        names.addAll(List.of(resources));
        for (String name : names) {
            copyResource(dir, name);
        }
    }

    /** The test resource {@code interop/<name>}, e.g. a client script, copied to a file of its own. */
    public static Path script(String name) throws IOException {
        return copyResource(Files.createTempDirectory("bullpen-interop"), name);
    }

    /** Copies the test resource {@code interop/<name>} into {@code dir}; the copy. */
    public static Path copyResource(Path dir, String name) throws IOException {
        try (InputStream in = PythonCelery.class.getResourceAsStream("/interop/" + name)) {
            if (in == null) {
                throw new IOException("no test resource interop/" + name);
            }
            return Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    /** A Python run: its timeout, folder and environment, then {@link #run()}. */
    public static final class Client {

        private final List<String> args;
        private Duration timeout = Duration.ofSeconds(60);
        private @Nullable Path directory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Supplier<String> context = () -> "";

        private Client(List<String> args) {
            this.args = args;
        }

        public Client timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Client in(Path directory) {
            this.directory = directory;
            return this;
        }

        public Client environment(Map<String, String> more) {
            environment.putAll(more);
            return this;
        }

        /** More to show when it fails, e.g. a worker's log. */
        public Client onFailureShow(Supplier<String> context) {
            this.context = context;
            return this;
        }

        /**
         * Runs it to its end: fails the test unless it finishes within the timeout and exits 0; its output.
         * Without Python's Celery it fails at once, saying what to install ({@link #requireCelery}).
         */
        public String run() {
            requireCelery();
            List<String> command = new ArrayList<>(List.of(executable()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(environment);
            try {
                // To a file, not a pipe: a chatty script would block on a full pipe, a hung one on none.
                Path output = Files.createTempFile("bullpen-python-", ".out");
                builder.redirectOutput(output.toFile());
                Process process = builder.start();
                boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!done) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
                Files.deleteIfExists(output);
                assertThat(done).as("python3 %s finished within %s; output:%n%s%s", args, timeout, text, context.get())
                        .isTrue();
                assertThat(process.exitValue()).as("python3 %s exited cleanly (%s); output:%n%s%s", args, NEEDS, text,
                        context.get()).isZero();
                return text;
            } catch (IOException ex) {
                throw new UncheckedIOException("python3 did not start (" + NEEDS + ")", ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted running python3 " + args, ex);
            }
        }
    }
}
