package dev.bullpen.worker.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A run was stopped from outside before it finished: terminated by a revoke, or past its hard time limit. */
final class AttemptStopped extends RuntimeException {

    /** Why it was stopped. */
    enum Reason { TERMINATED, HARD_TIME_LIMIT }

    private final Reason reason;
    private final @Nullable Duration hardLimit;

    AttemptStopped(Reason reason, @Nullable Duration hardLimit) {
        super(reason == Reason.TERMINATED ? "terminated" : "hard time limit (" + hardLimit + ") exceeded", null, false, false);
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
