package dev.bullpen.producer.workflow;

import dev.bullpen.client.GroupProgress;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** What {@code GET /api/groups/{id}} answers. */
@Schema(name = "GroupStatus", description = "A group's progress and its members' results, in member order.")
record GroupStatus(
        @Schema(description = "The group id") String id,
        @Schema(description = "How many members") int total,
        @Schema(description = "How many are finished: succeeded, failed or revoked") int done,
        @Schema(description = "How many failed or were revoked") int failed,
        @Schema(description = "SUCCESS when all succeeded, FAILURE once one failed, STARTED while some are done, "
                + "PENDING before") TaskState state,
        @Schema(description = "Each member's return value in order; null where it has not succeeded (any JSON)",
                implementation = Object[].class) List<JsonNode> results,
        @Schema(description = "The members that failed, in order") List<MemberFailure> failures) {

    /**
     * @param index the member's position
     * @param id its task id
     * @param type the exception type, e.g. {@code ValueError}
     * @param message the exception message
     */
    record MemberFailure(int index, String id, String type, String message) {
    }

    static GroupStatus of(String id, List<TaskResult> members) {
        int done = 0;
        List<JsonNode> results = new ArrayList<>(members.size());
        List<MemberFailure> failures = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            TaskResult member = members.get(i);
            done += member.state().isReady() ? 1 : 0;
            results.add(member.state() == TaskState.SUCCESS ? member.result() : null);
            if (member.state().propagates()) {
                RemoteError error = member.error().orElse(new RemoteError(member.state().name(), null, List.of(), null));
                failures.add(new MemberFailure(i, member.taskId(), error.type(), error.message()));
            }
        }
        GroupProgress progress = new GroupProgress(members.size(), done, failures.size());
        return new GroupStatus(id, progress.total(), progress.done(), progress.failed(), progress.state(), results, failures);
    }
}
