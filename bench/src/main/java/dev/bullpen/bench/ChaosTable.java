package dev.bullpen.bench;

import java.io.PrintStream;
import java.util.List;

/** The chaos results in Markdown, so they paste into docs as is. */
final class ChaosTable {

    private ChaosTable() {
    }

    static void print(List<ScenarioResult> results, PrintStream out) {
        out.println();
        out.println("| scenario | accepted | SUCCESS | dead-lettered | lost | duplicate SUCCESS writes | ran more than once | elapsed | result |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (ScenarioResult r : results) {
            out.printf("| %s | %,d | %,d | %,d | %,d | %,d | %,d | %.1f s | %s |%n", r.scenario(), r.accepted(), r.succeeded(),
                    r.deadLettered(), r.lost(), r.duplicateSuccessWrites(), r.ranMoreThanOnce(), r.elapsed().toMillis() / 1000.0,
                    r.passed() ? "pass" : "**FAIL**");
        }
        out.println();
        for (ScenarioResult r : results) {
            out.println("- " + r.scenario() + ": " + r.notes());
            r.failures().forEach(f -> out.println("  - FAILED: " + f));
        }
    }
}
