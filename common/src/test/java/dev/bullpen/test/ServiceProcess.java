package dev.bullpen.test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One of Bullpen's runnable jars ({@code bullpen-<module>-exec.jar}, built by {@code package} before
 * the integration tests) started as a process of its own, as in production: so that a test can send
 * it a real SIGTERM and watch it exit, or give it only the environment a container would get. Its
 * output goes to {@code target/service-logs/}, and the tail of it into every failure.
 *
 * <pre>{@code
 * try (ServiceProcess worker = ServiceProcess.jar("worker").property("bullpen.worker.queues", q).start()
 *         .awaitUp(Duration.ofSeconds(60))) { ... }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** A launch of the exec jar of {@code module}, e.g. {@code worker} or {@code producer}. */
    public static Launch jar(String module) {
        return new Launch(module, jarOf(module));
    }

    /** The repackaged jar of a module, looked for from the working directory up. */
    public static Path jarOf(String module) {
        String file = "bullpen-" + module + "-exec.jar";
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path jar : List.of(dir.resolve("target").resolve(file), dir.resolve(module).resolve("target").resolve(file))) {
                if (Files.isRegularFile(jar)) {
                    return jar;
                }
            }
        }
        throw new IllegalStateException(file + " not found: run `./mvnw -B verify` (it packages before the integration tests)");
    }

    /** A TCP port free now, for a service to listen on. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** What to start: properties as {@code --key=value} arguments, the environment, the JVM's options. */
    public static final class Launch {

        private final String module;
        private final Path jar;
        private String name;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> prefix = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private boolean containerEnvironment;
        private boolean exactEnvironment;
        private int port;

        private Launch(String module, Path jar) {
            this.module = module;
            this.jar = jar;
            this.name = module;
        }

        /** The name in logs and failures, e.g. {@code worker-2}. */
        public Launch name(String name) {
            this.name = name;
            return this;
        }

        public Launch property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Launch properties(Map<String, String> more) {
            properties.putAll(more);
            return this;
        }

        public Launch environment(Map<String, String> more) {
            environment.putAll(more);
            return this;
        }

        /**
         * Nothing of the test JVM's environment but {@code PATH} and {@code HOME} (unless given): only
         * what a container would get can configure the service.
         */
        public Launch containerEnvironment() {
            containerEnvironment = true;
            return this;
        }

        /** Nothing of the test JVM's environment at all: exactly what {@link #environment} gives. */
        public Launch exactEnvironment() {
            exactEnvironment = true;
            return this;
        }

        /** JVM options before {@code -jar}, e.g. {@code -XX:TieredStopAtLevel=1}. */
        public Launch jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** C1 only: the service starts in about half the time, for tests that wait for little else. */
        public Launch quickStart() {
            return jvmOptions("-XX:TieredStopAtLevel=1");
        }

        /** A command the JVM runs under, e.g. {@code setpriv --reuid=...}. */
        public Launch runUnder(List<String> command) {
            prefix.addAll(command);
            return this;
        }

        /**
         * The port the service serves on, which the test has set through its properties or environment;
         * without it a free port is passed as {@code --server.port}.
         */
        public Launch port(int port) {
            this.port = port;
            return this;
        }

        public ServiceProcess start() throws IOException {
            int servePort = port;
            Map<String, String> args = new LinkedHashMap<>(properties);
            if (servePort == 0) {
                servePort = freePort();
                args.put("server.port", Integer.toString(servePort));
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(prefix);
            command.add(java);
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            args.forEach((key, value) -> command.add("--" + key + "=" + value));
            Path logs = Files.createDirectories(Path.of("target", "service-logs"));
            Path log = Files.createTempFile(logs, "bullpen-" + name + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            if (containerEnvironment) {
                String path = env.getOrDefault("PATH", "/usr/bin:/bin");
                String home = env.getOrDefault("HOME", "/tmp");
                env.clear();
                env.put("PATH", path);
                env.put("HOME", home);
            }
            if (exactEnvironment) {
                env.clear();
            }
            env.putAll(environment);
            return new ServiceProcess(name, builder.start(), servePort, log);
        }

        @Override
        public String toString() {
            return "launch of " + module + " as " + name;
        }
    }

    /**
     * Waits until Actuator's health is UP, which for a worker means it consumes its queues. On a
     * timeout the process is killed: callers chain this on start and never get it to close.
     */
    public ServiceProcess awaitUp(Duration timeout) throws Exception {
        TestHttp http = new TestHttp(port);
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; its log:\n" + tail());
            }
            Optional<HttpResponse<String>> health = http.tryGet("/actuator/health");
            if (health.isPresent() && health.get().statusCode() == 200 && health.get().body().contains("\"UP\"")) {
                return this;
            }
            Thread.sleep(100);
        }
        String tail = tail();
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(name + " was not UP within " + timeout + "; its log:\n" + tail);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM, as {@code docker stop} and Kubernetes do. */
    public void terminate() {
        process.destroy();
    }

    /** Sends SIGKILL: the service dies at once, with no goodbye to the broker. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Waits for the process to end; true if it did within the timeout. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last 60 lines of its output, for failure messages. */
    public String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** SIGTERM, then SIGKILL if it has not exited within 40 s (a graceful shutdown's budget). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
