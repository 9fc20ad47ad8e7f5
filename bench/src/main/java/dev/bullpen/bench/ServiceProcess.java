package dev.bullpen.bench;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** A Bullpen worker or producer started from its jar as a process of its own, as in production. */
final class ServiceProcess implements AutoCloseable {

    /** JVM options for every service started, e.g. a flight recording; set once before any starts. */
    static volatile List<String> javaOptions = List.of();

    /** How workers start (jar, JVM options ahead of {@link #javaOptions}); set once before any starts. */
    static volatile WorkerLaunch workerLaunch = WorkerLaunch.plain();

    private final Process process;
    private final int port;
    private final Path log;
    private volatile boolean killed;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** A worker consuming {@code queue}; its log goes to a temporary file. */
    static ServiceProcess worker(Path jar, Endpoints endpoints, String queue, String keyPrefix, List<String> extra)
            throws IOException {
        return worker(jar, endpoints, queue, keyPrefix, extra, null);
    }

    /**
     * A worker consuming {@code queue}; its log goes to {@code logDir}, or a temporary file when null.
     * Arguments starting with {@code -X} are JVM options, the rest the application's.
     */
    static ServiceProcess worker(Path jar, Endpoints endpoints, String queue, String keyPrefix, List<String> extra,
            @Nullable Path logDir) throws IOException {
        List<String> args = new ArrayList<>(List.of("--bullpen.worker.queues=" + queue));
        args.addAll(extra);
        return start(jar, "worker", endpoints, keyPrefix, args, logDir);
    }

    /** The HTTP producer, sending to {@code queue} by default. */
    static ServiceProcess producer(Path jar, Endpoints endpoints, String queue, String keyPrefix, List<String> extra,
            @Nullable Path logDir) throws IOException {
        List<String> args = new ArrayList<>(List.of("--bullpen.client.default-queue=" + queue));
        args.addAll(extra);
        return start(jar, "producer", endpoints, keyPrefix, args, logDir);
    }

    private static ServiceProcess start(Path jar, String role, Endpoints endpoints, String keyPrefix, List<String> extra,
            @Nullable Path logDir) throws IOException {
        List<String> jvmOptions = extra.stream().filter(a -> a.startsWith("-X")).toList();
        extra = extra.stream().filter(a -> !a.startsWith("-X")).toList();
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        if (role.equals("worker")) {
            command.addAll(workerLaunch.options());
            jar = workerLaunch.jarFor(jar);
        }
        command.addAll(javaOptions);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(endpoints.springArguments());
        command.addAll(List.of("--bullpen.result.key-prefix=" + keyPrefix, "--server.port=" + port,
                "--logging.level.root=warn"));
        command.addAll(extra);
        Path log = logDir == null ? Files.createTempFile("bullpen-bench-" + role, ".log")
                : Files.createTempFile(logDir, role + "-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(process, port, log);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits until the service's health is UP (a worker: it consumes its queues); returns how long that took. */
    Duration awaitUp(Duration timeout, Instant startedAt) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create(baseUri() + "/actuator/health")).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the process exited; log: " + log + "\n" + tail());
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
        throw new IllegalStateException("not UP within " + timeout + "; log: " + log + "\n" + tail());
    }

    /** Where its HTTP port (the worker: Actuator) listens. */
    String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code path} on its HTTP port. */
    URI uri(String path) {
        return URI.create(baseUri() + path);
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

    boolean isAlive() {
        return process.isAlive();
    }

    /** True once {@link #kill()}ed on purpose. */
    boolean killed() {
        return killed;
    }

    Path log() {
        return log;
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

    /**
     * The resident set once the process has gone quiet (at most 15 s): just after UP, the JIT is
     * still compiling start-up's code, and its arenas are not handed back before it is done.
     */
    long idleRssMiB() throws InterruptedException {
        ProcessCpu.awaitQuiet(Duration.ofSeconds(15), process.pid());
        return rssMiB();
    }

    /** {@code kill -STOP}: the process stands still, holding what the broker has handed it. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** {@code kill -CONT}: it runs on. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** {@code kill -9}: no shutdown hook, no goodbye to the broker; waits until it is gone. */
    void kill() throws InterruptedException {
        killed = true;
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
