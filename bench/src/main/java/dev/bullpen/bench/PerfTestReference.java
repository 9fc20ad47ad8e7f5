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
     * What PerfTest measured: rates in messages a second; latencies in milliseconds, of one publisher
     * that waits for each confirm before the next message (as {@code TaskClient.send} does) and one
     * consumer acking each message.
     */
    record Figures(double durablePerSecond, double drainPerSecond, Latency confirm, Latency consumer) {
    }

    /** A median and 99th percentile, in milliseconds. */
    record Latency(double p50, double p99) {
    }

    private static final Pattern RECEIVING = Pattern.compile("receiving rate avg: (\\d+) msg/s");
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
     * (a) one producer and one consumer at once for {@code seconds}; (b) one consumer draining a
     * durable queue pre-filled with {@code drainMessages}; (c) the latency of one publisher at 1,000
     * messages a second with one confirm outstanding, and one consumer, for up to 8 s: the broker's own
     * share of a round trip.
     */
    Figures measure(int seconds, int drainMessages) {
        String both = queuePrefix + "perftest";
        String drain = queuePrefix + "perftest-drain";
        String latency = queuePrefix + "perftest-latency";
        try {
            double durable = receivingRate(run(both, 1000, "-x", "1", "-y", "1", "-z", Integer.toString(seconds)));
            run(drain, 1000, "-x", "1", "-y", "0", "-C", Integer.toString(drainMessages));
            double drained = receivingRate(run(drain, 1000, "-x", "0", "-y", "1", "-D", Integer.toString(drainMessages)));
            String timed = run(latency, 1, "-x", "1", "-y", "1", "-r", "1000", "-z",
                    Integer.toString(latencySeconds(seconds)));
            return new Figures(durable, drained, latency(timed, "confirm"), latency(timed, "consumer"));
        } finally {
            Bench.deleteQueue(endpoints, both);
            Bench.deleteQueue(endpoints, drain);
            Bench.deleteQueue(endpoints, latency);
        }
    }

    /** How long the latency run of {@link #measure} lasts, for a publish+consume run of {@code seconds}. */
    static int latencySeconds(int seconds) {
        return Math.clamp(seconds, 1, 8);
    }

    private static double receivingRate(String text) {
        Matcher m = RECEIVING.matcher(text);
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

    /** Runs PerfTest with the common flags, {@code confirms} outstanding at most, and these; answers what it printed. */
    private String run(String queue, int confirms, String... extra) {
        List<String> args = new ArrayList<>(List.of("--uri", endpoints.amqp().toString(), "--queue", queue,
                "--exchange", queue, "--auto-delete", "false", "--flag", "persistent", "--confirm", Integer.toString(confirms),
                "--qos", Integer.toString(prefetch), "--size", Integer.toString(messageSize), "--id", queue));
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
