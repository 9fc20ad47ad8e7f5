package dev.bullpen.test;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A {@code redis-server} of one test class's own, on a free port of loopback, keeping nothing on
 * disk: for tests that must set Redis's limits ({@code proto-max-bulk-len}, {@code maxmemory}),
 * which the shared Redis must never have changed.
 *
 * <pre>{@code
 * static final PrivateRedisServer redis = PrivateRedisServer.start("--proto-max-bulk-len", "1mb");
 * }</pre>
 */
public final class PrivateRedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private PrivateRedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts one with these extra {@code redis-server} arguments; fails saying what to install when there is none. */
    public static PrivateRedisServer start(String... arguments) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return startOn(port, arguments);
    }

    /**
     * The same on a port the test chose, e.g. to start Redis again where a client waits for it after
     * {@link #close()}.
     */
    public static PrivateRedisServer startOn(int port, String... arguments) throws Exception {
        Path log = Files.createTempFile("bullpen-private-redis-", ".log");
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir")));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException ex) {
            throw new IllegalStateException("No redis-server to start a private Redis from: install it "
                    + "(Debian: apt-get install redis-server)", ex);
        }
        PrivateRedisServer server = new PrivateRedisServer(process, port, log);
        server.awaitListening(Duration.ofSeconds(20));
        return server;
    }

    public int port() {
        return port;
    }

    /** A started Spring Data Redis connection factory for it; the caller closes it. */
    public LettuceConnectionFactory connectionFactory() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** Spring Boot's properties pointing an application at it. */
    public java.util.Map<String, String> springProperties() {
        return java.util.Map.of("spring.data.redis.host", "127.0.0.1", "spring.data.redis.port", Integer.toString(port),
                "spring.data.redis.database", "0");
    }

    /** {@code CONFIG SET name value}, as an operator would while the application runs. */
    public void configSet(String name, String value) {
        try (RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
             StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().configSet(name, value);
        }
    }

    private void awaitListening(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(log));
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port + " within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
