package dev.bullpen.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Submits over HTTP with a closed-loop load generator on kept-alive HTTP/1.1 connections, for a
 * fixed time: {@code wrk} when it is on the PATH (Debian package wrk; it costs the machine far less
 * CPU than a JVM client), else {@code connections} virtual threads of {@link HttpClient}, each
 * sending its next request once the last was answered. Only 202 answers count. The tasks go to a
 * queue no worker consumes, which is purged meanwhile so the broker does not hoard them.
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
        return load(producer.uri("/api/tasks"), body, connections);
    }

    /** {@code POST /api/tasks/batch} of {@code size} tasks a request: tasks accepted a second. */
    double batch(ServiceProcess producer, int size) throws Exception {
        String body = IntStream.range(0, size).mapToObj(i -> "{\"task\":\"demo.add\",\"args\":[" + i + "," + i + "]}")
                .collect(Collectors.joining(",", "[", "]"));
        // A batch is many publishes already: fewer requests at once keep the producer's CPU on them.
        return load(producer.uri("/api/tasks/batch"), body, Math.max(1, connections / 8)) * size;
    }

    /** Which generator runs: wrk or Java's HttpClient. */
    static String generator() {
        return wrk().isPresent() ? "wrk" : "HttpClient";
    }

    private static java.util.Optional<Path> wrk() {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "wrk")).filter(Files::isExecutable).findFirst();
    }

    /** The longest warm-up before a timed run. */
    static final Duration WARM_UP_MAX = Duration.ofSeconds(30);

    private double load(URI uri, String body, int threads) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        java.util.Optional<Path> wrk = wrk();
        Load load = wrk.isPresent() ? time -> wrk(wrk.get(), uri, body, threads, time) : time -> run(request, threads, time);
        Duration window = Duration.ofMillis(Math.clamp(duration.toMillis() / 3, 500, 3_000));
        Duration warmUp = warmUp(window, Duration.ofMillis(Math.min(WARM_UP_MAX.toMillis(), 3 * duration.toMillis())), load);
        System.out.printf(java.util.Locale.ROOT, "(%s warm after %.0f s)%n", uri.getPath(), warmUp.toMillis() / 1000.0);
        return load.run(duration);
    }

    /** A run of the load for a time: answers accepted a second. */
    @FunctionalInterface
    interface Load {
        double run(Duration time) throws Exception;
    }

    /**
     * Runs {@code load} in windows until two in a row agree within 5 % or {@code max} passed; answers
     * how long that took. A producer runs warm, and on two cores its JIT takes 20-30 s of this load
     * to finish: measured after 2 s of warm-up it gave 3,500 req/s, the same jar warm 6,300-7,400.
     */
    static Duration warmUp(Duration window, Duration max, Load load) throws Exception {
        long start = System.nanoTime();
        double last = -1;
        while (System.nanoTime() - start < max.toNanos()) {
            double rate = load.run(window);
            if (last > 0 && Math.abs(rate - last) <= 0.05 * last) {
                break;
            }
            last = rate;
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** wrk with a Lua script that POSTs {@code body}: 2xx answers a second (all 202 here). */
    private double wrk(Path wrk, URI uri, String body, int threads, Duration time) throws Exception {
        Path script = Files.createTempFile("bullpen-bench-post", ".lua");
        try (var purger = Executors.newSingleThreadScheduledExecutor()) {
            Files.writeString(script, "wrk.method = \"POST\"\nwrk.body = [==[" + body + "]==]\n"
                    + "wrk.headers[\"Content-Type\"] = \"application/json\"\n");
            purger.scheduleWithFixedDelay(this::purge, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            long seconds = Math.max(1, time.toSeconds());
            Process process = new ProcessBuilder(wrk.toString(), "-t" + Math.min(2, threads), "-c" + threads, "-d" + seconds + "s",
                    "--timeout", "30s", "-s", script.toString(), uri.toString()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("wrk failed:\n" + out);
            }
            java.util.regex.Matcher total = java.util.regex.Pattern.compile("(\\d+) requests in ([\\d.]+)(m?s)")
                    .matcher(out);
            if (!total.find()) {
                throw new IllegalStateException("no request count in wrk's output:\n" + out);
            }
            java.util.regex.Matcher failed = java.util.regex.Pattern.compile("Non-2xx or 3xx responses: (\\d+)")
                    .matcher(out);
            long refused = failed.find() ? Long.parseLong(failed.group(1)) : 0;
            if (refused > 0) {
                System.out.println("(" + refused + " requests to " + uri + " were not answered 2xx)");
            }
            double elapsed = Double.parseDouble(total.group(2)) / (total.group(3).equals("ms") ? 1000 : 1);
            return (Long.parseLong(total.group(1)) - refused) / elapsed;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private double run(HttpRequest request, int threads, Duration time) throws Exception {
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime();
        long end = start + time.toNanos();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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
