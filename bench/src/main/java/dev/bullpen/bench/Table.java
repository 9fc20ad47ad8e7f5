package dev.bullpen.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The result table, in Markdown so it pastes into docs as is: Bullpen's figure, the reference
 * measured in the same run, their ratio, the target and whether it is met.
 */
final class Table {

    /** A figure measured in the same run to compare Bullpen's with, e.g. Celery's or PerfTest's. */
    record Reference(String name, double value) {
    }

    /** What a row must reach. */
    sealed interface Target {

        /** Bullpen's figure at least this many times the reference's (higher is better). */
        record AtLeastTimes(double times) implements Target {
        }

        /** Bullpen's figure at least this value. */
        record AtLeast(double value) implements Target {
        }

        /** Bullpen's figure at most this value (lower is better). */
        record AtMost(double value) implements Target {
        }

        /** Reported, not judged. */
        record Report() implements Target {
        }
    }

    private record Row(String workload, double bullpen, Optional<Reference> reference, boolean lowerIsBetter,
            Target target) {
    }

    private final List<Row> rows = new ArrayList<>();

    void row(String workload, double bullpen, Optional<Reference> reference, Target target) {
        rows.add(new Row(workload, bullpen, reference, target instanceof Target.AtMost, target));
    }

    void row(String workload, double bullpen, Target target) {
        row(workload, bullpen, Optional.empty(), target);
    }

    /** A lower-is-better figure (latency) compared with a reference: the ratio is reference / Bullpen. */
    void lowerIsBetter(String workload, double bullpen, Optional<Reference> reference, Target target) {
        rows.add(new Row(workload, bullpen, reference, true, target));
    }

    void print(PrintStream out) {
        out.println();
        out.println("| workload | Bullpen | reference (same run) | ratio | target | met? |");
        out.println("|---|---:|---:|---:|---|:---:|");
        for (Row row : rows) {
            Optional<Double> ratio = ratio(row);
            out.printf("| %s | %s | %s | %s | %s | %s |%n", row.workload(), format(row.bullpen()),
                    row.reference().map(r -> r.name() + " " + format(r.value())).orElse("–"),
                    ratio.map(r -> String.format("%.2f×", r)).orElse(""), describe(row.target()), met(row, ratio));
        }
    }

    private static Optional<Double> ratio(Row row) {
        return row.reference().map(Reference::value).filter(r -> r > 0 && row.bullpen() > 0)
                .map(r -> row.lowerIsBetter() ? r / row.bullpen() : row.bullpen() / r);
    }

    private static String met(Row row, Optional<Double> ratio) {
        return switch (row.target()) {
            case Target.AtLeastTimes t -> ratio.map(r -> r >= t.times() ? "yes" : "**no**").orElse("n/a");
            case Target.AtLeast t -> row.bullpen() >= t.value() ? "yes" : "**no**";
            case Target.AtMost t -> row.bullpen() >= 0 && row.bullpen() <= t.value() ? "yes" : "**no**";
            case Target.Report r -> "";
        };
    }

    private static String describe(Target target) {
        return switch (target) {
            case Target.AtLeastTimes t -> t.times() >= 1 ? String.format("≥ %s×", plain(t.times()))
                    : String.format("≥ %s %%", plain(t.times() * 100));
            case Target.AtLeast t -> "≥ " + format(t.value());
            case Target.AtMost t -> "≤ " + format(t.value());
            case Target.Report r -> "report";
        };
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static String format(double value) {
        return Math.abs(value) >= 100 ? String.format("%,.0f", value) : String.format("%.2f", value);
    }
}
