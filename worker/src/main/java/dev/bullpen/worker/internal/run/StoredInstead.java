package dev.bullpen.worker.internal.run;

import dev.bullpen.result.TaskResult;
import org.jspecify.annotations.Nullable;

/**
 * The result a run asked to store could not be, ever: {@link ResultWriter} stored {@link #stored()}
 * in its place, a FAILURE saying why. With a {@link #deadLetterReason()}, the store refused the write
 * itself, and the message goes to the dead-letter queue for someone to look at; without one, the
 * result was only too large, and the task's FAILURE says all there is to say.
 */
public final class StoredInstead extends RuntimeException {

    private final transient TaskResult stored;
    private final @Nullable String deadLetterReason;

    StoredInstead(TaskResult stored, @Nullable String deadLetterReason) {
        super("stored " + stored.state() + " in place of the task's own result", null, false, false);
        this.stored = stored;
        this.deadLetterReason = deadLetterReason;
    }

    TaskResult stored() {
        return stored;
    }

    public @Nullable String deadLetterReason() {
        return deadLetterReason;
    }
}
