package dev.bullpen.client;

import dev.bullpen.result.RemoteError;
import dev.bullpen.result.TaskState;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One input of a pool map that failed.
 *
 * @param index the input's position, from 0. For a chunk whose worker did not say which of its
 *        tuples failed (a Python Celery worker does not), the chunk's first position
 * @param item the input as given (the item for a map, the argument tuple otherwise); {@code null}
 *        when the worker did not say which tuple of its chunk failed
 * @param taskId the task that ran it (for chunks, the chunk's task)
 * @param state FAILURE or REVOKED
 * @param error the remote exception: type, message and traceback
 */
public record MapFailure(int index, @Nullable JsonNode item, String taskId, TaskState state, RemoteError error) {
}
