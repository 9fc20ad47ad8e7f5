package dev.bullpen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The table's ratio and verdict: what the bench reports as met must be what the target says. */
class TableTests {

    @Test
    void aRatioTargetIsMetWhenBullpenIsThatManyTimesTheReference() {
        Table table = new Table();
        table.row("fast", 20_000, Optional.of(new Table.Reference("Celery", 1_000)), new Table.Target.AtLeastTimes(15));
        table.row("slow", 2_000, Optional.of(new Table.Reference("Celery", 1_000)), new Table.Target.AtLeastTimes(15));
        table.row("share", 12_000, Optional.of(new Table.Reference("PerfTest", 20_000)),
                new Table.Target.AtLeastTimes(0.6));

        List<String> rows = rows(table);

        assertThat(rows.get(0)).isEqualTo("| fast | 20,000 | Celery 1,000 | 20.00× | ≥ 15× | yes |");
        assertThat(rows.get(1)).isEqualTo("| slow | 2,000 | Celery 1,000 | 2.00× | ≥ 15× | **no** |");
        assertThat(rows.get(2)).isEqualTo("| share | 12,000 | PerfTest 20,000 | 0.60× | ≥ 60 % | yes |");
    }

    @Test
    void withoutAReferenceARatioTargetCannotBeJudged() {
        Table table = new Table();
        table.row("alone", 5_000, Optional.empty(), new Table.Target.AtLeastTimes(10));

        assertThat(rows(table).getFirst()).isEqualTo("| alone | 5,000 | – |  | ≥ 10× | n/a |");
    }

    @Test
    void lowerIsBetterRowsCompareTheOtherWayRound() {
        Table table = new Table();
        table.lowerIsBetter("p50 (ms)", 0.5, Optional.of(new Table.Reference("Celery", 1.5)), new Table.Target.AtMost(0.7));
        table.lowerIsBetter("p99 (ms)", 4, Optional.empty(), new Table.Target.AtMost(3));
        table.row("in flight", 10_000, new Table.Target.AtLeast(5_000));
        table.row("RSS (MiB)", 300, new Table.Target.Report());

        List<String> rows = rows(table);

        assertThat(rows.get(0)).isEqualTo("| p50 (ms) | 0.50 | Celery 1.50 | 3.00× | ≤ 0.70 | yes |");
        assertThat(rows.get(1)).isEqualTo("| p99 (ms) | 4.00 | – |  | ≤ 3.00 | **no** |");
        assertThat(rows.get(2)).isEqualTo("| in flight | 10,000 | – |  | ≥ 5,000 | yes |");
        assertThat(rows.get(3)).isEqualTo("| RSS (MiB) | 300 | – |  | report |  |");
    }

    /** The printed rows, without the header and its rule. */
    private static List<String> rows(Table table) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        table.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("|")).toList();
        return lines.subList(2, lines.size());
    }
}
