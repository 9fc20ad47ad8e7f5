package dev.bullpen.bench;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.TaskResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker restart: clients POST tasks to the real producer over HTTP while the broker is killed
 * and started again on its data. A 202 means the broker confirmed the message, so every task that
 * got one must end SUCCESS; while the broker is down the producer answers 503 and those are not counted.
 */
final class SubmitLoop {

    private static final int SUBMITTERS = 4;
    private static final String BODY = "{\"task\": \"" + ChaosScenarios.SLEEP + "\", \"args\": [0.01]}";

    private final ChaosRig rig;
    private final int tasks;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Queue<String> accepted = new ConcurrentLinkedQueue<>();
    private final AtomicInteger acceptedCount = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger otherAnswers = new AtomicInteger();
    private final AtomicLong restartedAtCount = new AtomicLong(-1);

    SubmitLoop(ChaosRig rig, int tasks) {
        this.rig = rig;
        this.tasks = tasks;
    }

    ScenarioResult run(ChaosScenarios scenarios) throws Exception {
        String name = "kill -9 and restart the broker during an HTTP submit loop of " + String.format("%,d", tasks) + " "
                + ChaosScenarios.SLEEP + "(0.01)";
        Instant start = Instant.now();
        Instant deadline = start.plus(ChaosScenarios.deadline(tasks));
        List<String> failures = new ArrayList<>();
        long downMillis;
        int acceptedBeforeKill;
        try (var submitters = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int i = 0; i < SUBMITTERS; i++) {
                loops.add(CompletableFuture.runAsync(() -> submitUntil(deadline), submitters));
            }
            acceptedBeforeKill = ChaosScenarios.awaitAtLeast(acceptedCount::get, tasks / 3, Duration.ofSeconds(120));
            long killed = System.nanoTime();
            rig.broker().restart();
            downMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            restartedAtCount.set(acceptedCount.get());
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
        }
        long afterRestart = acceptedCount.get() - restartedAtCount.get();
        if (afterRestart <= 0) {
            failures.add("no submission was accepted after the broker came back");
        }
        if (acceptedCount.get() < tasks) {
            failures.add("only " + acceptedCount.get() + " of " + tasks + " submissions were accepted before the deadline");
        }
        List<String> ids = List.copyOf(accepted);
        awaitResults(ids, deadline.plusSeconds(60));
        return scenarios.outcome(name, start, ids, ids.size(), 0, failures,
                "broker killed (SIGKILL) after " + acceptedBeforeKill + " 202s, accepting logins again after " + downMillis
                        + " ms; meanwhile " + unavailable.get() + " submissions answered 503 (not counted), "
                        + otherAnswers.get() + " failed otherwise; " + afterRestart + " 202s after the restart");
    }

    /** A producer's answer: its status (-1 for none) and, on 202, the task id. */
    record Answer(int status, String id) {
    }

    /** One POST of the scenario's task. */
    static Answer submitOnce(ChaosRig rig) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(rig.producer().baseUri() + "/api/tasks"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.statusCode() == 202
                    ? CeleryJson.mapper().readTree(response.body()).path("id").asString() : "");
        } catch (Exception ex) {
            return new Answer(-1, "");
        }
    }

    private void submitUntil(Instant deadline) {
        HttpRequest post = HttpRequest.newBuilder(URI.create(rig.producer().baseUri() + "/api/tasks"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        while (acceptedCount.get() < tasks && Instant.now().isBefore(deadline)) {
            int status;
            try {
                HttpResponse<String> response = http.send(post, HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                if (status == 202) {
                    accepted.add(CeleryJson.mapper().readTree(response.body()).path("id").asString());
                    acceptedCount.incrementAndGet();
                    continue;
                }
            } catch (Exception ex) {
                status = -1;
            }
            if (status == 503) {
                unavailable.incrementAndGet();
            } else {
                otherAnswers.incrementAndGet();
            }
            try {
                Thread.sleep(100); // a client backs off after a refusal rather than hammering the producer
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void awaitResults(List<String> ids, Instant deadline) throws InterruptedException {
        List<CompletableFuture<TaskResult>> ready = ids.stream().map(id -> rig.results().whenReady(id)).toList();
        long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        try {
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException ex) {
            ready.forEach(f -> f.cancel(false));
        }
    }
}
