package dev.bullpen.client;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A pool map now.
 *
 * @param progress counted in inputs: a finished chunk counts all its inputs done, a failed chunk
 *        all its inputs failed (none of them has a result)
 * @param values each input's result in input order; a JSON null where it has no result (yet)
 * @param failures the failed inputs, by index
 */
public record MapSnapshot(GroupProgress progress, List<JsonNode> values, List<MapFailure> failures) {

    public MapSnapshot {
        values = List.copyOf(values);
        failures = List.copyOf(failures);
    }
}
