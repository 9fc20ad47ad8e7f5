package dev.bullpen.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.result.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The transition table in {@code docs/ARCHITECTURE.md} ("Task states") is {@link TaskState#canMoveTo}
 * as it is, not as it was when the page was written: a row changed in the code fails here, and the
 * failure prints the table to paste in its place.
 */
class TaskStatesTableTests {

    @Test
    void architectureShowsTheTransitionTableOfTheCode() throws IOException {
        String page = Files.readString(RepositoryRoot.find().resolve("docs/ARCHITECTURE.md"));

        assertThat(page).as("docs/ARCHITECTURE.md's task states table; this is the table to paste")
                .contains(table());
    }

    /** The table as Markdown: a row per stored state, a column per new state, ✓ where the write replaces it. */
    static String table() {
        StringBuilder head = new StringBuilder("| stored ↓ / new → |");
        StringBuilder rule = new StringBuilder("|---|");
        for (TaskState next : TaskState.values()) {
            head.append(" `").append(next).append("` |");
            rule.append(":-:|");
        }
        StringBuilder out = new StringBuilder().append(head).append('\n').append(rule).append('\n');
        for (TaskState stored : TaskState.values()) {
            out.append("| `").append(stored).append("` |");
            for (TaskState next : TaskState.values()) {
                out.append(stored.canMoveTo(next) ? " ✓ |" : " – |");
            }
            out.append('\n');
        }
        return out.toString();
    }
}
