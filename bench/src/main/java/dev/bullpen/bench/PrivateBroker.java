package dev.bullpen.bench;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A RabbitMQ node of the harness's own, so that it can be killed: its own node name, AMQP and
 * distribution ports, data, logs, Erlang cookie ({@code HOME}) and config, all in one directory, and
 * no plugins (the shared node's management and Prometheus ports would clash). It restarts on the
 * same data directory, so durable queues and persistent messages survive, as on a real server.
 */
final class PrivateBroker implements AutoCloseable {

    private static final Path DEBIAN_SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");

    private final Path dir;
    private final int port;
    private final int distPort;
    private final String server;
    private @Nullable Process process;
    private int starts;
    /** Once closed, never started again: a scenario still running while a shutdown hook cleans up must not. */
    private boolean closed;

    private PrivateBroker(Path dir, int port, int distPort, String server) {
        this.dir = dir;
        this.port = port;
        this.distPort = distPort;
        this.server = server;
    }

    /** Starts a node on {@code port} (AMQP, 127.0.0.1 only) and {@code distPort}, keeping its files in {@code dir}. */
    static PrivateBroker start(Path dir, int port, int distPort, @Nullable String server) throws Exception {
        Ports.requireFree("RabbitMQ AMQP", port);
        Ports.requireFree("RabbitMQ distribution", distPort);
        String executable = server != null ? server
                : Files.isExecutable(DEBIAN_SERVER) ? DEBIAN_SERVER.toString() : "rabbitmq-server";
        Files.createDirectories(dir.resolve("home"));
        Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.local = 127.0.0.1:" + port + "\n");
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
        requireInstalled(executable, "rabbitmq-server");
        PrivateBroker broker = new PrivateBroker(dir, port, distPort, executable);
        broker.boot();
        return broker;
    }

    /** Fails with what to install when the program is neither a file nor on the PATH. */
    static void requireInstalled(String program, String debianPackage) {
        boolean found = program.contains("/") ? Files.isExecutable(Path.of(program))
                : java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
        if (!found) {
            throw new IllegalStateException("No " + program + " to start a private server from: install it (Debian: apt-get"
                    + " install " + debianPackage + ") or name it with --rabbitmq-server / --redis-server.");
        }
    }

    /** Where it listens, as guest. */
    URI amqp() {
        return URI.create("amqp://guest:guest@127.0.0.1:" + port + "/%2F");
    }

    String nodeName() {
        return "bullpen-chaos-" + port + "@localhost";
    }

    /** {@code kill -9} of the node: nothing is flushed or closed gracefully. */
    synchronized void kill() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> tree = p.descendants().toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        for (ProcessHandle h : tree) {
            h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> h).join();
        }
        p.waitFor(30, TimeUnit.SECONDS);
        process = null;
    }

    /** Starts the node again on the same data; returns once it accepts AMQP logins. */
    synchronized void restart() throws Exception {
        kill();
        boot();
    }

    /** Starts the node again with none of its data, as a broker replaced or run without a volume comes back. */
    synchronized void restartEmpty() throws Exception {
        kill();
        try (var files = Files.walk(dir.resolve("mnesia"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        boot();
    }

    private void boot() throws Exception {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        starts++;
        ProcessBuilder builder = new ProcessBuilder(server).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("RABBITMQ_") || name.equals("ERL_FLAGS"));
        env.put("HOME", dir.resolve("home").toString()); // its own Erlang cookie, which root can read
        env.put("RABBITMQ_NODENAME", nodeName());
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", Integer.toString(port));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_PID_FILE", dir.resolve("rabbitmq.pid").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        process = builder.start();
        awaitReady(Duration.ofSeconds(90));
    }

    private void awaitReady(Duration timeout) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqp());
        factory.setConnectionTimeout(2000);
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException("the private RabbitMQ node exited; see " + dir.resolve("server.log")
                        + "\n" + tail());
            }
            try (var connection = factory.newConnection("bullpen-chaos-probe")) {
                return;
            } catch (IOException | java.util.concurrent.TimeoutException ex) {
                last = ex;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the private RabbitMQ node (start " + starts + ") did not accept logins on port "
                + port + " within " + timeout + ": " + last + "\n" + tail());
    }

    private String tail() throws IOException {
        Path log = dir.resolve("server.log");
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** Stops the node (SIGTERM is a clean shutdown for Erlang), or kills it after 30 s. */
    @Override
    public synchronized void close() throws InterruptedException {
        closed = true;
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> tree = p.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process = null;
    }
}
