package dev.bullpen.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A Redis of the harness's own, so that it can be killed. It runs as a durable deployment would:
 * append-only file, fsync on every write, so a result stored before a {@code kill -9} is still there
 * after the restart. The append-only file is never rewritten, so it is also the exact log of every
 * write, which {@link ResultWrites} reads to count SUCCESS writes per task.
 */
final class PrivateRedis implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final String server;
    private @Nullable Process process;
    /** Once closed, never started again: a scenario still running while a shutdown hook cleans up must not. */
    private boolean closed;

    private PrivateRedis(Path dir, int port, String server) {
        this.dir = dir;
        this.port = port;
        this.server = server;
    }

    static PrivateRedis start(Path dir, int port, @Nullable String server) throws Exception {
        Ports.requireFree("Redis", port);
        Files.createDirectories(dir);
        String executable = server == null ? "redis-server" : server;
        PrivateBroker.requireInstalled(executable, "redis-server");
        PrivateRedis redis = new PrivateRedis(dir, port, executable);
        redis.boot();
        return redis;
    }

    URI uri() {
        return URI.create("redis://127.0.0.1:" + port + "/0");
    }

    /** The append-only files: every write since the first start, in order. */
    Path appendOnlyDir() {
        return dir.resolve("appendonlydir");
    }

    synchronized void kill() throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts it again on the same files; returns once it answers PING. */
    synchronized void restart() throws Exception {
        kill();
        boot();
    }

    private void boot() throws Exception {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        process = new ProcessBuilder(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always",
                "--auto-aof-rewrite-percentage", "0", "--aof-use-rdb-preamble", "no", "--save", "",
                "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString())
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile())).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the private Redis exited; see " + dir.resolve("redis.log") + "\n"
                        + (Files.exists(dir.resolve("redis.log")) ? String.join("\n", Files.readAllLines(dir.resolve("redis.log"))) : ""));
            }
            if (answersPing()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the private Redis did not answer PING on port " + port + " within 30 s");
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException ex) {
            return false;
        }
    }

    /** Stops it (SIGTERM: Redis flushes and exits), or kills it after 30 s. */
    @Override
    public synchronized void close() throws InterruptedException {
        closed = true;
        Process p = process;
        if (p != null) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
            process = null;
        }
    }

    List<Path> appendOnlyFiles() throws IOException {
        try (var files = Files.list(appendOnlyDir())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".aof")).sorted().toList();
        }
    }
}
