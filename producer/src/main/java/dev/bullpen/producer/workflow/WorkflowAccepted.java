package dev.bullpen.producer.workflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The answer to {@code POST /api/workflows}: the broker has every first message. */
@Schema(name = "WorkflowAccepted", description = "The broker has confirmed the workflow's first tasks; poll Location.")
record WorkflowAccepted(
        @Schema(description = "task, chain, group, chord, map, starmap or chunks", example = "chain") String kind,
        @Schema(description = "What to poll: the group's id for a group (GET /api/groups/{id}) or a pool map "
                + "(GET /api/maps/{id}), else the id of the task whose result is the workflow's (a chain's last "
                + "task, a chord's body; GET /api/tasks/{id})")
        String id,
        @Schema(description = "A group's member task ids, in order (a chain member is its last task); a pool map's "
                + "task ids, one per input or per chunk",
                requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable List<String> members) {
}
