package dev.bullpen.worker;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runnable worker jar started as a process of its own, as in production, so that a test can
 * send it a real SIGTERM ({@link Process#destroy()} on Linux) and watch it exit.
 */
final class WorkerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private WorkerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code bullpen-worker-exec.jar} (built by {@code package}, before the integration tests) with these properties. */
    static WorkerProcess start(Map<String, String> properties) throws IOException {
        return start(properties, Map.of());
    }

    /** The same with these environment variables, e.g. the {@code JAVA_TOOL_OPTIONS} the compose file gives it. */
    static WorkerProcess start(Map<String, String> properties, Map<String, String> environment) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // C1 only: the worker starts in about half the time, which is all these tests wait for.
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        command.add("--server.port=" + port);
        Path log = Files.createTempFile("bullpen-worker-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new WorkerProcess(process, port, log);
    }

    private static Path jar() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path jar : List.of(dir.resolve("target/bullpen-worker-exec.jar"), dir.resolve("worker/target/bullpen-worker-exec.jar"))) {
                if (Files.isRegularFile(jar)) {
                    return jar;
                }
            }
        }
        throw new IllegalStateException("bullpen-worker-exec.jar not found: run `./mvnw -B verify` (it packages before the integration tests)");
    }

    /** Waits until Actuator's health is UP: the worker consumes its queues. */
    WorkerProcess awaitUp(Duration timeout) throws Exception {
        HttpRequest health = HttpRequest.newBuilder(uri("/actuator/health")).timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(timeout);
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the worker exited with " + process.exitValue() + "; its log:\n" + tail());
                }
                try {
                    HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                        return this;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
        }
        // Callers chain awaitUp on start and never get the process to close: stop it here, not leave it consuming.
        String log = tail();
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("the worker was not UP within " + timeout + "; its log:\n" + log);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Sends SIGTERM, as {@code docker stop} and Kubernetes do. */
    void terminate() {
        process.destroy();
    }

    /** Sends SIGKILL: the worker dies at once, with no goodbye to the broker. */
    void kill() {
        process.destroyForcibly();
    }

    /** Waits for the process to end; true if it did within the timeout. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
