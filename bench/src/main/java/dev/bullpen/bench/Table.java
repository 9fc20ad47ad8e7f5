package dev.bullpen.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The result table, in Markdown so it pastes into docs as is. */
final class Table {

    private record Row(String workload, double bullpen, Optional<Double> celery) {
    }

    private final List<Row> rows = new ArrayList<>();

    void row(String workload, double bullpen, Optional<Double> celery) {
        rows.add(new Row(workload, bullpen, celery));
    }

    void print(PrintStream out) {
        out.println();
        out.println("| workload | Bullpen | Celery 5.2 (same run) | ratio |");
        out.println("|---|---:|---:|---:|");
        for (Row row : rows) {
            boolean lowerIsBetter = row.workload().contains("lower is better");
            String ratio = row.celery().filter(c -> c > 0 && row.bullpen() > 0)
                    .map(c -> String.format("%.1f×", lowerIsBetter ? c / row.bullpen() : row.bullpen() / c)).orElse("");
            out.printf("| %s | %s | %s | %s |%n", row.workload(), format(row.bullpen()),
                    row.celery().map(Table::format).orElse("–"), ratio);
        }
    }

    private static String format(double value) {
        return value >= 100 ? String.format("%,.0f", value) : String.format("%.2f", value);
    }
}
