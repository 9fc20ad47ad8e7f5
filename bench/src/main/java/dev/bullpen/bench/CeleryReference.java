package dev.bullpen.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Celery's own figures, measured in the same run with the reference app and bench in
 * {@code shared/anchors/celery}: a prefork worker (concurrency 2) and {@code bench.py}.
 * Absent when the folder or Debian's python3-celery is missing: then the table shows Bullpen only.
 */
final class CeleryReference {

    /** What bench.py prints. */
    record Figures(double endToEndPerSecond, double publishPerSecond, double p50Millis, double p99Millis) {
    }

    static final String PYTHON = "/usr/bin/python3";
    /** Where the reference app stores its results. */
    static final int RESULT_DATABASE = 1;

    static Optional<Path> anchors(Path repo) {
        for (Path dir = repo.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path anchors = dir.resolve("shared/anchors/celery");
            if (Files.isRegularFile(anchors.resolve("bench.py"))) {
                return Optional.of(anchors);
            }
        }
        return Optional.empty();
    }

    static boolean celeryInstalled() {
        try {
            return new File(PYTHON).canExecute()
                    && new ProcessBuilder(PYTHON, "-c", "import celery, redis").start().waitFor() == 0;
        } catch (IOException | InterruptedException ex) {
            return false;
        }
    }

    /** Starts the Celery worker, runs bench.py with {@code tasks} tasks, stops the worker. */
    static Figures measure(Path anchors, Endpoints endpoints, int tasks) throws Exception {
        Process worker = startWorker(anchors, endpoints, "bench", List.of());
        try {
            awaitPing(anchors, endpoints, "bench");
            ProcessBuilder benchCommand = new ProcessBuilder(PYTHON, "bench.py", Integer.toString(tasks))
                    .directory(anchors.toFile()).redirectErrorStream(true);
            benchCommand.environment().putAll(environment(endpoints));
            Process bench = benchCommand.start();
            String out = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!bench.waitFor(10, TimeUnit.MINUTES) || bench.exitValue() != 0) {
                throw new IllegalStateException("Celery's bench.py failed:\n" + out);
            }
            return new Figures(number(out, "end_to_end=([\\d.]+)/s"), number(out, "publish=([\\d.]+)/s"),
                    number(out, "p50=([\\d.]+)"), number(out, "p99=([\\d.]+)"));
        } finally {
            stop(worker);
        }
    }

    /** The reference app's broker and result backend (Redis database 1, as in its README). */
    static Map<String, String> environment(Endpoints endpoints) {
        return Map.of("BROKER", endpoints.celeryBroker(),
                "BACKEND", "redis://" + endpoints.redis().getHost() + ":" + endpoints.redis().getPort() + "/" + RESULT_DATABASE);
    }

    /** A prefork worker of the reference app (concurrency 2) named {@code node@host}, with these arguments too. */
    static Process startWorker(Path anchors, Endpoints endpoints, String node, List<String> extra) throws IOException {
        Path log = Files.createTempFile("celery-worker", ".log");
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON, "-m", "celery", "-A", "tasks", "worker",
                "--concurrency=2", "--loglevel=warning", "-n", node + "@%h"));
        command.addAll(extra);
        ProcessBuilder workerCommand = new ProcessBuilder(command)
                .directory(anchors.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        workerCommand.environment().putAll(environment(endpoints));
        return workerCommand.start();
    }

    static void stop(Process worker) throws InterruptedException {
        worker.destroy();
        if (!worker.waitFor(30, TimeUnit.SECONDS)) {
            worker.destroyForcibly();
        }
    }

    /** Waits until the worker named {@code node@host} answers {@code celery inspect ping}: it consumes. */
    static void awaitPing(Path anchors, Endpoints endpoints, String node) throws Exception {
        for (int i = 0; i < 30; i++) {
            ProcessBuilder ping = new ProcessBuilder(List.of(PYTHON, "-m", "celery", "-A", "tasks", "inspect", "ping",
                    "-d", node + "@" + java.net.InetAddress.getLocalHost().getHostName(), "-t", "1"))
                    .directory(anchors.toFile()).redirectErrorStream(true);
            ping.environment().putAll(environment(endpoints));
            Process p = ping.start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) {
                return;
            }
        }
        throw new IllegalStateException("the Celery worker did not answer ping within 30 tries");
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no /" + regex + "/ in Celery's output:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }
}
