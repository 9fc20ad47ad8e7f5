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

/** A Bullpen worker or producer started from its jar as a process of its own, as in production. */
final class ServiceProcess implements AutoCloseable {

    /** JVM options for every service started, e.g. a flight recording; set once before any starts. */
    static volatile List<String> javaOptions = List.of();

    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** A worker consuming {@code queues} (comma-separated), storing results under {@code keyPrefix}. */
    static ServiceProcess start(Path jar, Endpoints endpoints, String queues, String keyPrefix, List<String> extra)
            throws IOException {
        List<String> arguments = new ArrayList<>(List.of("--bullpen.worker.queues=" + queues));
        arguments.addAll(extra);
        return launch(jar, endpoints, keyPrefix, arguments);
    }

    /** A producer (HTTP API) sending to {@code queue} by default. */
    static ServiceProcess producer(Path jar, Endpoints endpoints, String queue, String keyPrefix) throws IOException {
        return launch(jar, endpoints, keyPrefix, List.of("--bullpen.client.default-queue=" + queue));
    }

    private static ServiceProcess launch(Path jar, Endpoints endpoints, String keyPrefix, List<String> extra)
            throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(endpoints.springArguments());
        command.addAll(List.of("--bullpen.result.key-prefix=" + keyPrefix, "--server.port=" + port,
                "--logging.level.root=warn"));
        command.addAll(extra);
        Path log = Files.createTempFile("bullpen-bench-" + jar.getFileName(), ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(process, port, log);
    }

    /** Where its HTTP server listens. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Waits until the health is UP (a worker consumes its queues); returns how long that took. */
    Duration awaitConsuming(Duration timeout, Instant startedAt) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(jarName() + " exited; log: " + log + "\n" + tail());
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
        throw new IllegalStateException(jarName() + " was not UP within " + timeout + "; log: " + log);
    }

    long pid() {
        return process.pid();
    }

    /**
     * A gauge's value from the worker's {@code /actuator/prometheus}, summed over its tags; -1 when
     * the worker does not answer.
     */
    double gauge(HttpClient http, String prometheusName) {
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            double sum = 0;
            boolean found = false;
            for (String line : http.send(scrape, HttpResponse.BodyHandlers.ofLines()).body().toList()) {
                if (line.startsWith(prometheusName + " ") || line.startsWith(prometheusName + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? sum : -1;
        } catch (IOException | NumberFormatException ex) {
            return -1;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return -1;
        }
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

    private String jarName() {
        return process.info().arguments().stream().flatMap(java.util.Arrays::stream).filter(a -> a.endsWith(".jar"))
                .findFirst().orElse("the service");
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
