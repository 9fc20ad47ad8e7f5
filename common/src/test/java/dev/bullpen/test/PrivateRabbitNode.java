package dev.bullpen.test;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of one test class's own, beside the shared one: its own node name, ports, data,
 * logs and Erlang cookie in a temporary directory, no plugins, and the settings the test gives it in
 * {@code advanced.config} (say a {@code consumer_timeout} of seconds), which the shared broker must
 * never have changed. Starting one takes some seconds.
 */
public final class PrivateRabbitNode implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private PrivateRabbitNode(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a node with these {@code rabbit} application settings, e.g. {@code "{consumer_timeout, 2000}"}. */
    public static PrivateRabbitNode start(String... rabbitSettings) throws Exception {
        int port = freePort();
        int distPort = freePort();
        Path dir = Files.createTempDirectory("bullpen-private-rabbit-");
        Files.createDirectories(dir.resolve("home"));
        Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.local = 127.0.0.1:" + port + "\n");
        Files.writeString(dir.resolve("advanced.config"), "[{rabbit, [" + String.join(", ", rabbitSettings) + "]}].\n");
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
        Path debian = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
        ProcessBuilder builder = new ProcessBuilder(Files.isExecutable(debian) ? debian.toString() : "rabbitmq-server")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("RABBITMQ_") || name.equals("ERL_FLAGS"));
        env.put("HOME", dir.resolve("home").toString());
        env.put("RABBITMQ_NODENAME", "bullpen-test-" + port + "@localhost");
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", Integer.toString(port));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_PID_FILE", dir.resolve("rabbitmq.pid").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException ex) {
            throw new IllegalStateException("No rabbitmq-server to start a private node from: install it "
                    + "(Debian: apt-get install rabbitmq-server)", ex);
        }
        PrivateRabbitNode node = new PrivateRabbitNode(process, dir, port);
        node.awaitReady(Duration.ofSeconds(90));
        return node;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** Spring Boot's properties pointing an application at it, as guest on the default virtual host. */
    public Map<String, String> springProperties() {
        return Map.of("spring.rabbitmq.host", "127.0.0.1", "spring.rabbitmq.port", Integer.toString(port),
                "spring.rabbitmq.username", "guest", "spring.rabbitmq.password", "guest",
                "spring.rabbitmq.virtual-host", "/");
    }

    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        return factory;
    }

    private void awaitReady(Duration timeout) throws Exception {
        ConnectionFactory factory = connectionFactory();
        factory.setConnectionTimeout(2000);
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the private RabbitMQ node exited:\n" + Files.readString(dir.resolve("server.log")));
            }
            try (var connection = factory.newConnection("bullpen-test-probe")) {
                return;
            } catch (IOException | java.util.concurrent.TimeoutException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the private RabbitMQ node did not accept logins on " + port + " within " + timeout);
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
