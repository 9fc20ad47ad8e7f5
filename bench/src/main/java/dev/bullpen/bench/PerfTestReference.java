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

    /** What PerfTest measured, in messages a second. */
    record Figures(double durablePerSecond, double drainPerSecond) {
    }

    private static final Pattern RECEIVING = Pattern.compile("receiving rate avg: (\\d+) msg/s");

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
     * durable queue pre-filled with {@code drainMessages}.
     */
    Figures measure(int seconds, int drainMessages) {
        String both = queuePrefix + "perftest";
        String drain = queuePrefix + "perftest-drain";
        try {
            double durable = run(both, "-x", "1", "-y", "1", "-z", Integer.toString(seconds));
            run(drain, "-x", "1", "-y", "0", "-C", Integer.toString(drainMessages));
            double drained = run(drain, "-x", "0", "-y", "1", "-D", Integer.toString(drainMessages));
            return new Figures(durable, drained);
        } finally {
            Bench.deleteQueue(endpoints, both);
            Bench.deleteQueue(endpoints, drain);
        }
    }

    /** Runs PerfTest with the common flags and these; answers its average receiving rate (0 when it received none). */
    private double run(String queue, String... extra) {
        List<String> args = new ArrayList<>(List.of("--uri", endpoints.amqp().toString(), "--queue", queue,
                "--exchange", queue, "--auto-delete", "false", "--flag", "persistent", "--confirm", "1000",
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
        Matcher m = RECEIVING.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
