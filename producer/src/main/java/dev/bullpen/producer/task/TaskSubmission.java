package dev.bullpen.producer.task;

import dev.bullpen.client.TaskOptions;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A validated {@code POST /api/tasks} request, ready for {@link dev.bullpen.client.TaskClient}.
 * Arguments stay JSON nodes so that numbers reach the wire exactly as the caller wrote them.
 */
record TaskSubmission(String task, List<JsonNode> args, Map<String, JsonNode> kwargs, TaskOptions options) {
}
