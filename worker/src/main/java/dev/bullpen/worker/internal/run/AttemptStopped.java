package dev.bullpen.worker.internal.run;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A run was stopped from outside before it finished: terminated by a revoke, past its hard time
 * limit, or still running when a stopping worker's shutdown timeout ran out.
 */
final class AttemptStopped extends RuntimeException {

    /** Why it was stopped. */
    enum Reason { TERMINATED, HARD_TIME_LIMIT, SHUTDOWN }

    private final Reason reason;
    private final @Nullable Duration hardLimit;

    AttemptStopped(Reason reason, @Nullable Duration hardLimit) {
        super(switch (reason) {
            case TERMINATED -> "terminated";
            case HARD_TIME_LIMIT -> "hard time limit (" + hardLimit + ") exceeded";
            case SHUTDOWN -> "the worker stopped";
        }, null, false, false);
        this.reason = reason;
        this.hardLimit = hardLimit;
    }

    Reason reason() {
        return reason;
    }

    /** The hard limit that passed, for {@link Reason#HARD_TIME_LIMIT}. */
    @Nullable Duration hardLimit() {
        return hardLimit;
    }
}
