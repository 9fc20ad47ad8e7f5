package dev.bullpen.producer.workflow;

import dev.bullpen.client.MapFailure;
import dev.bullpen.client.MapHandle;
import dev.bullpen.client.MapSnapshot;
import dev.bullpen.result.TaskState;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** What {@code GET /api/maps/{id}} answers. */
@Schema(name = "MapStatus", description = "A pool map's progress, its results in input order, and its failed inputs by index.")
record MapStatus(
        @Schema(description = "The map's id (its Celery group's id)") String id,
        @Schema(description = "map, starmap or chunks", example = "chunks") String kind,
        @Schema(description = "The task's name", example = "demo.add") String task,
        @Schema(description = "How many inputs") int total,
        @Schema(description = "How many tasks it was sent as: one per input, or one per chunk") int tasks,
        @Schema(description = "How many inputs are finished (a chunk's inputs finish together)") int done,
        @Schema(description = "How many inputs failed or were revoked (all of a failed chunk's: none has a result)")
        int failed,
        @Schema(description = "SUCCESS when all succeeded, FAILURE once one failed, STARTED while some are done, "
                + "PENDING before") TaskState state,
        @Schema(description = "Each input's result in input order; null where it has none yet (any JSON)",
                implementation = Object[].class) List<JsonNode> results,
        @Schema(description = "The failed inputs, by index") List<InputFailure> failures) {

    /**
     * @param index the input's position from 0 (for a chunk whose worker did not say which of its
     *        inputs failed, as a Python worker does not, the chunk's first)
     * @param item the input, or null when the worker did not say which
     * @param id the task that ran it
     * @param type the exception type, e.g. {@code TypeError}
     * @param message the exception message
     */
    @Schema(name = "MapInputFailure")
    record InputFailure(int index, @Schema(implementation = Object.class) @Nullable JsonNode item, String id,
            String type, String message) {
    }

    static MapStatus of(MapHandle map) {
        MapSnapshot now = map.snapshot();
        List<InputFailure> failures = now.failures().stream().map(MapStatus::failure).toList();
        return new MapStatus(map.id(), PoolMapReader.kindName(map.map()), map.map().task(), now.progress().total(),
                map.tasks().size(), now.progress().done(), now.progress().failed(), now.progress().state(), now.values(),
                failures);
    }

    private static InputFailure failure(MapFailure f) {
        return new InputFailure(f.index(), f.item(), f.taskId(), f.error().type(), f.error().message());
    }
}
