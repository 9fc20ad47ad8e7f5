package dev.bullpen.worker.internal.run;

import dev.bullpen.protocol.TaskMessage;
import java.time.Instant;

/**
 * A task running on this worker now, as Celery's {@code inspect active} reports it.
 *
 * @param message the message being run
 * @param queue the queue it came from
 * @param startedAt when its method began
 */
public record ActiveTask(TaskMessage message, String queue, Instant startedAt) {
}
