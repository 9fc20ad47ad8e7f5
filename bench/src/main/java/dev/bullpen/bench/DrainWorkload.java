package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A backlog drained by one worker started after it was queued: the backlog is published by a real
 * Celery client (by {@link TaskClient} where python3-celery is missing) onto a queue no one
 * consumes; then the worker starts, and the clock runs from its first stored result to its last:
 * the worker's start-up is not counted, nor are the results seen at the first look.
 */
final class DrainWorkload {

    /** A drain's rate, and who published the backlog. */
    record Drained(double perSecond, String publisher) {
    }

    private final Endpoints endpoints;
    private final int tasks;

    DrainWorkload(Endpoints endpoints, int tasks) {
        this.endpoints = endpoints;
        this.tasks = tasks;
    }

    /** One Bullpen worker from {@code jar} drains {@code tasks} {@code demo.add} on {@code queue}. */
    Drained bullpen(Path jar, String queue, String keyPrefix, TaskClient fallback, List<String> workerArguments)
            throws Exception {
        boolean celery = CeleryReference.celeryInstalled();
        List<String> ids = celery ? publishWithCelery(queue, "demo.add") : publishWithTaskClient(fallback, queue);
        var redis = endpoints.redisFactory();
        try (var results = new StoredResults(redis, keyPrefix, ids)) {
            try (ServiceProcess worker = ServiceProcess.worker(jar, endpoints, queue, keyPrefix, workerArguments)) {
                return new Drained(rate(results), celery ? "a Celery client" : "TaskClient");
            }
        } finally {
            redis.destroy();
        }
    }

    /**
     * The same backlog caught by {@code worker}, already running and warm, consuming {@code queue}: it
     * stands frozen ({@code SIGSTOP}) while the backlog is published, so that it finds all of it
     * queued when it goes on, as a long-running worker finds a burst.
     */
    Drained warm(ServiceProcess worker, String queue, String keyPrefix, TaskClient fallback) throws Exception {
        boolean celery = CeleryReference.celeryInstalled();
        var redis = endpoints.redisFactory();
        worker.freeze();
        try {
            List<String> ids = celery ? publishWithCelery(queue, "demo.add") : publishWithTaskClient(fallback, queue);
            try (var results = new StoredResults(redis, keyPrefix, ids)) {
                worker.thaw();
                return new Drained(rate(results), celery ? "a Celery client" : "TaskClient");
            }
        } finally {
            worker.thaw();
            redis.destroy();
        }
    }

    /** A prefork Celery worker of the reference app (2 processes) drains {@code tasks} {@code anchor.add}. */
    double celery(Path anchors, String queue) throws Exception {
        List<String> ids = publishWithCelery(queue, "anchor.add");
        var redis = endpoints.redisFactory(CeleryReference.RESULT_DATABASE);
        try (var results = new StoredResults(redis, "", ids)) {
            Process worker = CeleryReference.startWorker(anchors, endpoints, "drain", List.of("-Q", queue));
            try {
                return rate(results);
            } finally {
                CeleryReference.stop(worker);
                results.delete();
            }
        } finally {
            redis.destroy();
        }
    }

    /** From the first results seen to the last: the results stored meanwhile, a second. */
    private double rate(StoredResults results) throws InterruptedException {
        int first = results.awaitFirst(Duration.ofMinutes(2));
        Instant from = Instant.now();
        Instant done = results.awaitAll(Duration.ofMinutes(10));
        double seconds = Duration.between(from, done).toNanos() / 1e9;
        return first == tasks ? Double.NaN : (tasks - first) / Math.max(seconds, 1e-3);
    }

    private List<String> publishWithCelery(String queue, String task) throws IOException, InterruptedException {
        Path script = Files.createTempFile("bullpen-bench-celery-publish", ".py");
        try (InputStream in = DrainWorkload.class.getResourceAsStream("celery_publish.py")) {
            Files.write(script, in.readAllBytes());
        }
        try {
            Process publisher = new ProcessBuilder(CeleryReference.PYTHON, script.toString(), endpoints.celeryBroker(),
                    queue, task, Integer.toString(tasks)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> ids = new String(publisher.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines().toList();
            if (!publisher.waitFor(10, TimeUnit.MINUTES) || publisher.exitValue() != 0 || ids.size() != tasks) {
                throw new IllegalStateException("the Celery publisher failed after " + ids.size() + " of " + tasks);
            }
            return ids;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private List<String> publishWithTaskClient(TaskClient client, String queue) throws Exception {
        List<CompletableFuture<TaskHandle>> sent = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            sent.add(client.sendAsync("demo.add", List.of(i, i), Map.of(), TaskOptions.defaults().queue(queue)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        return sent.stream().map(f -> f.join().id()).toList();
    }
}
