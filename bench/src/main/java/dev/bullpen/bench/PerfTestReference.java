package dev.bullpen.bench;

import com.rabbitmq.perf.PerfTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's own limit on this machine, measured in the same run with RabbitMQ's PerfTest
 * ({@code com.rabbitmq:perf-test}), in this JVM, on queues the bench owns and deletes: durable
 * queues, persistent messages, publisher confirms and manual acks, as Bullpen delivers tasks.
 */
final class PerfTestReference {

    /**
     * What PerfTest measured: {@code plain}, its own messages of the bench's size with no headers (the
     * issue's reference); {@code celery}, messages shaped as a {@code demo.add} task (its properties,
     * protocol-2 headers and body size), which the broker has to parse and store with each; latencies
     * in milliseconds, of one publisher that waits for each confirm before the next message (as
     * {@code TaskClient.send} does) and one consumer acking each message, plain messages.
     */
    record Figures(Rates plain, Rates celery, Latency confirm, Latency consumer) {
    }

    /**
     * Messages a second on a durable queue: one producer and one consumer at once; one producer with
     * nobody consuming (the broker's ceiling for what the producer's batches do); one consumer draining
     * what that producer left.
     */
    record Rates(double durable, double publish, double drain) {
    }

    /** A median and 99th percentile, in milliseconds. */
    record Latency(double p50, double p99) {
    }

    private static final Pattern RECEIVING = Pattern.compile("receiving rate avg: (\\d+) msg/s");
    /**
     * What a {@code demo.add} message carries besides its body (Celery protocol 2: the properties, with
     * the {@code reply_to} a Celery client always sets, and the headers' names, values of the same
     * length), as PerfTest's {@code --message-properties}: the broker parses and stores them with every
     * message, which PerfTest's plain messages spare it.
     */
    static final String CELERY_PROPERTIES = String.join(",", "contentType=application/json",
            "contentEncoding=utf-8", "correlationId=6f1c1e52-3b36-4c8e-9d4c-6d2b1e0b7f6a",
            "replyTo=3c1e52aa-3b36-4c8e-9d4c-6d2b1e0b7f6b", "priority=0", "lang=py", "task=demo.add",
            "id=6f1c1e52-3b36-4c8e-9d4c-6d2b1e0b7f6a", "shadow=", "eta=", "expires=", "group=", "group_index=",
            "retries=0", "timelimit=", "root_id=6f1c1e52-3b36-4c8e-9d4c-6d2b1e0b7f6a", "parent_id=",
            "argsrepr=(1; 2)", "kwargsrepr={}", "origin=gen4242@bullpen-worker", "ignore_result=false");

    /** About the bytes of a {@code demo.add} body, {@code [[1, 2], {}, {"callbacks": null, ...}]}. */
    static final int DEMO_ADD_BODY = 81;

    private static final Pattern SENDING = Pattern.compile("sending rate avg: (\\d+) msg/s");
    private static final Pattern LATENCY =
            Pattern.compile("(confirm|consumer) latency min/median/75th/95th/99th (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+) µs");

    private final Endpoints endpoints;
    private final String queuePrefix;
    private final int messageSize;
    private final int prefetch;

    PerfTestReference(Endpoints endpoints, String queuePrefix, int messageSize, int prefetch) {
        this.endpoints = endpoints;
        this.queuePrefix = queuePrefix;
        this.messageSize = messageSize;
        this.prefetch = prefetch;
    }

    /**
     * For plain messages, then for Celery-shaped ones: (a) one producer and one consumer at once for
     * {@code seconds}; (b) one producer filling a durable queue with {@code drainMessages}, then one
     * consumer draining it. Then (c) the latency of one publisher at 1,000 messages a second with one
     * confirm outstanding, and one consumer, for up to 8 s: the broker's own share of a round trip.
     */
    Figures measure(int seconds, int drainMessages) {
        String latency = queuePrefix + "perftest-latency";
        Rates plain = rates(queuePrefix + "perftest", seconds, drainMessages, messageSize, List.of());
        Rates celery = rates(queuePrefix + "perftest-celery", seconds, drainMessages, DEMO_ADD_BODY,
                List.of("--message-properties", CELERY_PROPERTIES));
        try {
            String timed = run(latency, 1, messageSize, List.of(), "-x", "1", "-y", "1", "-r", "1000", "-z",
                    Integer.toString(latencySeconds(seconds)));
            return new Figures(plain, celery, latency(timed, "confirm"), latency(timed, "consumer"));
        } finally {
            Bench.deleteQueue(endpoints, latency);
        }
    }

    /** The three rates on {@code queue}; {@code message}, PerfTest's options for what the producers send. */
    private Rates rates(String queue, int seconds, int drainMessages, int size, List<String> message) {
        String drain = queue + "-drain";
        try {
            double durable = rate(RECEIVING, run(queue, 1000, size, message, "-x", "1", "-y", "1", "-z",
                    Integer.toString(seconds)));
            double published = rate(SENDING, run(drain, 1000, size, message, "-x", "1", "-y", "0", "-C",
                    Integer.toString(drainMessages)));
            double drained = rate(RECEIVING, run(drain, 1000, size, List.of(), "-x", "0", "-y", "1", "-D",
                    Integer.toString(drainMessages)));
            return new Rates(durable, published, drained);
        } finally {
            Bench.deleteQueue(endpoints, queue);
            Bench.deleteQueue(endpoints, drain);
        }
    }

    /** How long the latency run of {@link #measure} lasts, for a publish+consume run of {@code seconds}. */
    static int latencySeconds(int seconds) {
        return Math.clamp(seconds, 1, 8);
    }

    private static double rate(Pattern which, String text) {
        Matcher m = which.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static Latency latency(String text, String which) {
        Matcher m = LATENCY.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(which)) {
                return new Latency(Long.parseLong(m.group(3)) / 1000.0, Long.parseLong(m.group(6)) / 1000.0);
            }
        }
        throw new IllegalStateException("PerfTest printed no " + which + " latency:\n" + text);
    }

    /**
     * Runs PerfTest with the common flags, {@code confirms} outstanding at most, messages of {@code size}
     * bytes with {@code message}'s options, and these; answers what it printed.
     */
    private String run(String queue, int confirms, int size, List<String> message, String... extra) {
        List<String> args = new ArrayList<>(List.of("--uri", endpoints.amqp().toString(), "--queue", queue,
                "--exchange", queue, "--auto-delete", "false", "--flag", "persistent", "--confirm", Integer.toString(confirms),
                "--qos", Integer.toString(prefetch), "--size", Integer.toString(size), "--id", queue));
        args.addAll(message);
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] exit = {0};
        // PerfTest also prints per-second lines and its threads' stack traces at shutdown straight to
        // System.out and System.err: the bench is idle meanwhile, so both are caught for the duration.
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        try (PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(console);
            System.setErr(console);
            PerfTest.main(args.toArray(String[]::new), new PerfTest.PerfTestOptions()
                    .setConsoleOut(console).setConsoleErr(console).setSystemExiter(status -> exit[0] = status));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        if (exit[0] != 0) {
            throw new IllegalStateException("PerfTest " + String.join(" ", args) + " exited " + exit[0] + ":\n" + text);
        }
        return text;
    }
}
