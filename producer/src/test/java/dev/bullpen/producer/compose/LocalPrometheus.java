package dev.bullpen.producer.compose;

import dev.bullpen.test.ServiceProcess;
import dev.bullpen.test.TestHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) in a temporary directory, scraping
 * the given jobs every second, and its HTTP query API.
 */
final class LocalPrometheus implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final Process process;
    private final Path dir;
    private final int port;

    private LocalPrometheus(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts Prometheus scraping each job's targets ({@code host:port}) at {@code /actuator/prometheus} or {@code /metrics}. */
    static LocalPrometheus start(Map<String, Job> jobs) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " not found: install Debian's prometheus package "
                    + "(apt-get install prometheus; .ci/run does) to check the Grafana dashboards' queries");
        }
        Path dir = Files.createTempDirectory("bullpen-prometheus");
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n");
        jobs.forEach((name, job) -> config.append("  - job_name: ").append(name).append('\n')
                .append("    metrics_path: ").append(job.path()).append('\n')
                .append("    static_configs:\n      - targets: [")
                .append(job.targets().stream().map(t -> '"' + t + '"').collect(Collectors.joining(", "))).append("]\n"));
        Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = ServiceProcess.freePort();
        Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        LocalPrometheus prometheus = new LocalPrometheus(process, dir, port);
        prometheus.awaitReady(Duration.ofSeconds(60));
        return prometheus;
    }

    /** A scrape job: the path and the {@code host:port} targets. */
    record Job(String path, List<String> targets) {
    }

    private void awaitReady(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            if (http().tryGet("/-/ready").filter(ready -> ready.statusCode() == 200).isPresent()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("prometheus not ready within " + timeout);
    }

    /** Evaluates an instant query now; the whole API answer ({@code status}, {@code data}, {@code error}). */
    JsonNode query(String promql) throws Exception {
        TestHttp http = http();
        return TestHttp.json(http.send(http.request("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .timeout(Duration.ofSeconds(10)).GET().build()));
    }

    private TestHttp http() {
        return new TestHttp(port);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
