package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.RedisResultBackend;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * CPU a task of one worker process, for comparing worker jars on a shared machine: CPU time is far
 * steadier than throughput when other processes take the cores. Each round drains a backlog of
 * {@code --warmup} + {@code --tasks} {@code demo.add} with each jar in turn (A B A B ...); the
 * worker's user+system time (from {@code /proc}) and Redis's ({@code INFO cpu}) are read while the
 * results arrive, and only the {@code --tasks} after the warm-up are counted.
 */
@Command(name = "cpu", mixinStandardHelpOptions = true,
        description = "CPU per task of a worker draining a backlog, for worker jars taken in turn (A B A B).")
public final class Cpu implements Callable<Integer> {

    @Option(names = "--worker-jar", description = "a worker jar to measure (repeatable; default ${DEFAULT-VALUE})")
    List<Path> workerJars = List.of(Path.of("worker/target/bullpen-worker-exec.jar"));

    @Option(names = "--tasks", description = "tasks counted per drain (default ${DEFAULT-VALUE})")
    int tasks = 20_000;

    @Option(names = "--warmup", description = "tasks drained first and not counted (default ${DEFAULT-VALUE})")
    int warmup = 10_000;

    @Option(names = "--rounds", description = "drains per jar, the jars taken in turn (default ${DEFAULT-VALUE})")
    int rounds = 2;

    @Option(names = "--live", description = "start the worker first and publish while it consumes (as end to end) "
            + "rather than drain a backlog published before it starts")
    boolean live;

    @Option(names = "--concurrency", description = "the worker's concurrency (default ${DEFAULT-VALUE})")
    int concurrency = 64;

    @Option(names = "--worker-option", description = "an option for every worker, e.g. --bullpen.worker.prefetch=256 "
            + "or a JVM option -X... (repeatable)")
    List<String> workerOptions = List.of();

    @Option(names = "--threads", description = "also print the worker's CPU by thread (group) over the counted tasks")
    boolean threads;

    @Mixin
    EndpointOptions where = new EndpointOptions();

    /** One drain's figures over the counted tasks. */
    record Drain(Path jar, int round, int tasks, double seconds, double workerCpuSeconds, double redisCpuSeconds) {

        double workerMicrosPerTask() {
            return workerCpuSeconds * 1e6 / tasks;
        }

        double redisMicrosPerTask() {
            return redisCpuSeconds * 1e6 / tasks;
        }

        double perSecond() {
            return tasks / seconds;
        }
    }

    /** A sample: results seen, the worker's CPU and Redis's, at a time. */
    private record Sample(long nanos, int results, double workerCpu, double redisCpu) {
    }

    @Override
    public Integer call() throws Exception {
        for (Path jar : workerJars) {
            if (!Files.isRegularFile(jar)) {
                System.err.println("No worker jar at " + jar + ": build first with ./mvnw -B -DskipTests package");
                return 2;
            }
        }
        Endpoints endpoints = where.endpoints();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String queue = "bullpen-cpu-" + run;
        String prefix = "bullpen-cpu-" + run + ":";
        var redisFactory = endpoints.redisFactory();
        RedisClient lettuce = (RedisClient) redisFactory.getRequiredNativeClient();
        List<Drain> drains = new ArrayList<>();
        Thread cleanup = new Thread(() -> {
            Cleanup.queue(endpoints, queue);
            Cleanup.keys(redisFactory, prefix);
        }, "cpu-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (var results = new RedisResultBackend(redisFactory, prefix, Duration.ofMinutes(10));
             var client = TaskClient.builder(endpoints.amqpFactory(), results)
                     .settings(new TaskClientSettings(queue, Duration.ofSeconds(30), 4, true)).build();
             StatefulRedisConnection<String, String> info = lettuce.connect(StringCodec.UTF8)) {
            client.send("demo.add", List.of(0, 0), Map.of(), TaskOptions.defaults().ignoreResult(true)); // declares the queue
            try (var connection = endpoints.amqpFactory().newConnection("bullpen-bench-cpu");
                 var channel = connection.createChannel()) {
                channel.queuePurge(queue); // the run's own queue: that one message is not counted
            }
            for (int round = 1; round <= rounds; round++) {
                for (Path jar : workerJars) {
                    Drain drain = drain(endpoints, client, lettuce, info, jar, queue, prefix, round);
                    drains.add(drain);
                    System.out.printf(Locale.ROOT, "  round %d %s: worker %.1f µs/task, Redis %.1f µs/task, %,.0f tasks/s%n",
                            round, jar, drain.workerMicrosPerTask(), drain.redisMicrosPerTask(), drain.perSecond());
                    Cleanup.keys(redisFactory, prefix);
                }
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            Cleanup.queue(endpoints, queue);
            Cleanup.keys(redisFactory, prefix);
            redisFactory.destroy();
        }
        System.out.printf(Locale.ROOT, "%n%s of %d demo.add after %d warm-up, concurrency %d, %d cores%n%n",
                live ? "Live run" : "Drain", tasks, warmup, concurrency, Runtime.getRuntime().availableProcessors());
        System.out.println("| jar | round | worker CPU (µs/task) | Redis CPU (µs/task) | tasks/s |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Drain d : drains) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %,.0f |%n", d.jar(), d.round(),
                    d.workerMicrosPerTask(), d.redisMicrosPerTask(), d.perSecond());
        }
        return 0;
    }

    private Drain drain(Endpoints endpoints, TaskClient client, RedisClient lettuce,
            StatefulRedisConnection<String, String> info, Path jar, String queue, String prefix, int round)
            throws Exception {
        int total = warmup + tasks;
        AtomicInteger seen = new AtomicInteger();
        List<String> options = new ArrayList<>(List.of("--bullpen.worker.concurrency=" + concurrency));
        options.addAll(workerOptions);
        try (StatefulRedisPubSubConnection<String, String> sub = lettuce.connectPubSub(StringCodec.UTF8)) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    seen.incrementAndGet();
                }
            });
            sub.sync().psubscribe(prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "celery-task-meta-*");
            if (!live) {
                publish(client, queue, total);
            }
            try (ServiceProcess worker = ServiceProcess.worker(jar, endpoints, queue, prefix, options)) {
                CompletableFuture<Void> published = CompletableFuture.completedFuture(null);
                if (live) {
                    worker.awaitUp(Duration.ofSeconds(120), Instant.now());
                    published = CompletableFuture.runAsync(() -> publish(client, queue, total));
                }
                List<Sample> samples = new ArrayList<>();
                Map<String, Double> threadsFrom = null;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (seen.get() < total) {
                    if (System.nanoTime() > deadline || !worker.isAlive()) {
                        throw new IllegalStateException(seen.get() + " of " + total + " results; log " + worker.log());
                    }
                    samples.add(new Sample(System.nanoTime(), seen.get(), ProcessCpu.seconds(worker.pid()), redisCpu(info)));
                    if (threads && threadsFrom == null && samples.getLast().results() >= warmup) {
                        threadsFrom = threadCpu(worker.pid());
                    }
                    Thread.sleep(10);
                }
                samples.add(new Sample(System.nanoTime(), seen.get(), ProcessCpu.seconds(worker.pid()), redisCpu(info)));
                published.get(1, TimeUnit.MINUTES);
                Sample from = samples.stream().filter(s -> s.results() >= warmup).findFirst().orElseThrow();
                Sample to = samples.getLast();
                if (threadsFrom != null) {
                    printThreads(threadsFrom, threadCpu(worker.pid()), to.results() - from.results());
                }
                return new Drain(jar, round, to.results() - from.results(), (to.nanos() - from.nanos()) / 1e9,
                        to.workerCpu() - from.workerCpu(), to.redisCpu() - from.redisCpu());
            }
        }
    }

    private static void publish(TaskClient client, String queue, int count) {
        List<CompletableFuture<TaskHandle>> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sent.add(client.sendAsync("demo.add", List.of(i, i), Map.of(), TaskOptions.defaults().queue(queue)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }

    /** CPU seconds by thread name, digits folded ({@code ForkJoinPool-1-worker-N} as one). */
    private static Map<String, Double> threadCpu(long pid) throws IOException {
        Map<String, Double> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0, Double::sum);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    private static void printThreads(Map<String, Double> from, Map<String, Double> to, int tasks) {
        to.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - from.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> System.out.printf(Locale.ROOT, "    %-28s %7.1f µs/task%n", e.getKey(), e.getValue() * 1e6 / tasks));
    }

    /** Redis's own used_cpu_user + used_cpu_sys, in seconds. */
    private static double redisCpu(StatefulRedisConnection<String, String> info) {
        double sum = 0;
        for (String line : info.sync().info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                sum += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return sum;
    }
}
