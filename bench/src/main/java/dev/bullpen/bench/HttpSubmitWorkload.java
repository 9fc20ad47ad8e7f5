package dev.bullpen.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Submits over HTTP with a closed-loop load generator: {@code connections} virtual threads, each
 * sending its next request once the last was answered, on kept-alive HTTP/1.1 connections, for a
 * fixed time. Only 202 answers count. The tasks go to a queue no worker consumes, which is purged
 * meanwhile so the broker does not hoard them.
 */
final class HttpSubmitWorkload {

    private final Endpoints endpoints;
    private final String queue;
    private final int connections;
    private final Duration duration;

    HttpSubmitWorkload(Endpoints endpoints, String queue, int connections, Duration duration) {
        this.endpoints = endpoints;
        this.queue = queue;
        this.connections = connections;
        this.duration = duration;
    }

    /** {@code POST /api/tasks}, one {@code demo.add} a request: requests answered 202 a second. */
    double single(ServiceProcess producer) throws Exception {
        String body = "{\"task\":\"demo.add\",\"args\":[1,2]}";
        return load(producer.uri("/api/tasks"), body, connections) ;
    }

    /** {@code POST /api/tasks/batch} of {@code size} tasks a request: tasks accepted a second. */
    double batch(ServiceProcess producer, int size) throws Exception {
        String body = IntStream.range(0, size).mapToObj(i -> "{\"task\":\"demo.add\",\"args\":[" + i + "," + i + "]}")
                .collect(Collectors.joining(",", "[", "]"));
        // A batch is many publishes already: fewer requests at once keep the producer's CPU on them.
        return load(producer.uri("/api/tasks/batch"), body, Math.max(1, connections / 8)) * size;
    }

    private double load(URI uri, String body, int threads) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        // A short warm-up first, so the producer's JIT has seen the path; it is not counted.
        run(request, threads, Duration.ofMillis(Math.min(2_000, duration.toMillis() / 2)));
        return run(request, threads, duration);
    }

    private double run(HttpRequest request, int threads, Duration time) throws Exception {
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime();
        long end = start + time.toNanos();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
             var threadsRunning = Executors.newVirtualThreadPerTaskExecutor();
             var purger = Executors.newSingleThreadScheduledExecutor()) {
            purger.scheduleWithFixedDelay(this::purge, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            List<java.util.concurrent.Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                loops.add(threadsRunning.submit(() -> {
                    while (System.nanoTime() < end) {
                        try {
                            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                            (status == 202 ? accepted : refused).incrementAndGet();
                        } catch (java.io.IOException ex) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (var loop : loops) {
                loop.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (refused.get() > 0) {
            System.out.println("(" + refused.get() + " requests to " + request.uri() + " were not answered 202)");
        }
        return accepted.get() / seconds;
    }

    private void purge() {
        try (var connection = endpoints.amqpFactory().newConnection("bullpen-bench-purge");
             var channel = connection.createChannel()) {
            channel.queuePurge(queue);
        } catch (Exception ignored) {
            // the queue may not be declared yet
        }
    }
}
