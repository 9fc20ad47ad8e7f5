package dev.bullpen.bench;

import java.util.List;
import java.util.Optional;

/**
 * What one run of the bench measured, and the table it makes: each figure beside the reference from
 * the same run and the target for it.
 */
record Scorecard(Bench run, EndToEndWorkload.EndToEnd e2e, EndToEndWorkload.EndToEnd coldFirst,
        DrainWorkload.Drained drained, DrainWorkload.Drained warmDrain, Optional<Double> celeryDrain,
        RoundTrips roundTrips, double single, double batch, IoBoundWorkload.InFlight inFlight,
        List<Double> scaling, Bench.StartUp startUp, Optional<Bench.StartUp> uncached, long loadRss,
        Optional<CeleryReference.Figures> celery, Optional<PerfTestReference.Figures> perfTest) {

    /** The idle round trips' median and 99th percentile, in milliseconds. */
    record RoundTrips(double p50, double p99) {
    }

    Table table() {
        Table rows = new Table();
        Optional<Table.Reference> celeryE2e = celery.map(c -> new Table.Reference("Celery", c.endToEndPerSecond()));
        rows.row("end to end: " + run.tasks + " demo.add, confirms, results awaited (tasks/s)", e2e.perSecond(),
                celeryE2e, new Table.Target.AtLeastTimes(15));
        rows.row("end to end, against the broker's durable rate (tasks/s)", e2e.perSecond(),
                perfTest.map(p -> new Table.Reference("PerfTest", p.plain().durable())),
                new Table.Target.AtLeastTimes(0.6));
        // The same broker run with messages shaped as the tasks: how much of the gap is the wire format's headers.
        rows.row("end to end, against the same with Celery-shaped messages (tasks/s)", e2e.perSecond(),
                perfTest.map(p -> new Table.Reference("PerfTest", p.celery().durable())), new Table.Target.Report());
        rows.row("end to end, the first " + run.tasks + " on a worker just started, both JITs cold (tasks/s)",
                coldFirst.perSecond(), celeryE2e, new Table.Target.Report());
        rows.row("publish with confirms (tasks/s)", e2e.publishPerSecond(),
                celery.map(c -> new Table.Reference("Celery", c.publishPerSecond())), new Table.Target.Report());
        rows.row("worker drain: " + run.drainTasks + " backlog from " + drained.publisher() + ", one worker started for it (tasks/s)",
                drained.perSecond(), celeryDrain.map(c -> new Table.Reference("Celery prefork 2", c)),
                new Table.Target.AtLeastTimes(10));
        rows.row("worker drain, against the broker's consumer-only durable rate (tasks/s)", drained.perSecond(),
                perfTest.map(p -> new Table.Reference("PerfTest", p.plain().drain())),
                new Table.Target.AtLeastTimes(0.65));
        rows.row("worker drain: the same backlog caught by the warm worker of the end-to-end run (tasks/s)",
                warmDrain.perSecond(), celeryDrain.map(c -> new Table.Reference("Celery prefork 2", c)),
                new Table.Target.AtLeastTimes(10));
        rows.row("worker drain by the warm worker, against the broker's consumer-only durable rate (tasks/s)",
                warmDrain.perSecond(), perfTest.map(p -> new Table.Reference("PerfTest", p.plain().drain())),
                new Table.Target.AtLeastTimes(0.65));
        rows.row("worker drain by the warm worker, against the same with Celery-shaped messages (tasks/s)",
                warmDrain.perSecond(), perfTest.map(p -> new Table.Reference("PerfTest", p.celery().drain())),
                new Table.Target.Report());
        rows.lowerIsBetter("round trip p50, idle (ms)", roundTrips.p50(),
                celery.map(c -> new Table.Reference("Celery", c.p50Millis())), new Table.Target.AtMost(0.7));
        rows.lowerIsBetter("round trip p99, idle (ms)", roundTrips.p99(),
                celery.map(c -> new Table.Reference("Celery", c.p99Millis())), new Table.Target.AtMost(3));
        // The broker alone, one confirmed persistent message at a time: the floor under both rows above.
        rows.lowerIsBetter("round trip p50, against the broker's own confirm latency p50 (ms)", roundTrips.p50(),
                perfTest.map(p -> new Table.Reference("PerfTest", p.confirm().p50())), new Table.Target.Report());
        rows.lowerIsBetter("round trip p99, against the broker's own confirm latency p99 (ms)", roundTrips.p99(),
                perfTest.map(p -> new Table.Reference("PerfTest", p.confirm().p99())), new Table.Target.Report());
        rows.row("HTTP submit, one task a request, " + run.httpConnections + " connections, "
                + HttpSubmitWorkload.generator() + " (req/s)", single,
                new Table.Target.AtLeast(8_000));
        rows.row("HTTP batch submit, " + run.batchSize + " tasks a request (tasks/s)", batch,
                new Table.Target.AtLeast(30_000));
        // The broker alone taking confirmed persistent messages with nobody consuming: the ceiling over the batches.
        rows.row("HTTP batch submit, against the broker's publish-only durable rate (tasks/s)", batch,
                perfTest.map(p -> new Table.Reference("PerfTest", p.plain().publish())), new Table.Target.Report());
        rows.row("HTTP batch submit, against the same with Celery-shaped messages (tasks/s)", batch,
                perfTest.map(p -> new Table.Reference("PerfTest", p.celery().publish())), new Table.Target.Report());
        rows.row("IO-bound: " + run.ioTasks + " demo.sleep(0.1), concurrency " + run.ioConcurrency + ", most in flight",
                inFlight.maxInFlight(), new Table.Target.AtLeast(5_000));
        rows.row("IO-bound: that run's throughput (tasks/s)", inFlight.perSecond(), new Table.Target.Report());
        for (int i = 0; i < scaling.size(); i++) {
            int n = IoBoundWorkload.SCALING.get(i);
            boolean last = i == scaling.size() - 1;
            rows.row("IO-bound scaling: " + n + " worker" + (n > 1 ? "s" : "") + " × concurrency "
                    + run.scalingConcurrency + " (tasks/s" + (i > 0 ? ", ratio to 1 worker" : "") + ")", scaling.get(i),
                    i == 0 ? Optional.empty() : Optional.of(new Table.Reference("1 worker", scaling.get(0))),
                    last ? new Table.Target.AtLeastTimes(3.5) : new Table.Target.Report());
        }
        rows.lowerIsBetter("worker start to consuming (s)", startUp.time().toMillis() / 1000.0, Optional.empty(),
                new Table.Target.AtMost(3));
        rows.lowerIsBetter("worker RSS idle (MiB)", startUp.idleRss(), Optional.empty(), new Table.Target.AtMost(200));
        uncached.ifPresent(u -> {
            rows.lowerIsBetter("worker start to consuming, same options without the AOT cache (s)",
                    u.time().toMillis() / 1000.0, Optional.empty(), new Table.Target.Report());
            rows.lowerIsBetter("worker RSS idle, same options without the AOT cache (MiB)", u.idleRss(),
                    Optional.empty(), new Table.Target.Report());
        });
        rows.row("worker RSS, most during the end-to-end load (MiB)", loadRss, new Table.Target.Report());
        return rows;
    }
}
