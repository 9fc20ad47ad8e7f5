package dev.bullpen.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A Bullpen worker started from its jar as a process of its own, as in production. */
final class WorkerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private WorkerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static WorkerProcess start(Path jar, Endpoints endpoints, String queue, String keyPrefix, List<String> extra)
            throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        command.addAll(endpoints.springArguments());
        command.addAll(List.of("--bullpen.worker.queues=" + queue, "--bullpen.result.key-prefix=" + keyPrefix,
                "--server.port=" + port, "--logging.level.root=warn"));
        command.addAll(extra);
        Path log = Files.createTempFile("bullpen-bench-worker", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new WorkerProcess(process, port, log);
    }

    /** Waits until the worker's health is UP (it consumes its queues); returns how long that took. */
    Duration awaitConsuming(Duration timeout, Instant startedAt) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the worker exited; log: " + log + "\n" + tail());
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return Duration.between(startedAt, Instant.now());
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the worker did not start consuming within " + timeout + "; log: " + log);
    }

    long pid() {
        return process.pid();
    }

    /** Resident set size in MiB, from /proc (Linux). */
    long rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return -1;
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
