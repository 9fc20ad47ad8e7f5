package dev.bullpen.worker.internal.run;

import java.time.Duration;

/** What {@link TaskRunner#run} left to do once the result is stored. */
public sealed interface RunOutcome {

    RunOutcome DONE = new Done();

    /** The result is stored (or ignored); nothing more to do. */
    record Done() implements RunOutcome {
    }

    /** RETRY is stored: send the message again with {@code retries + 1}, due after {@code delay}. */
    record Retry(Duration delay) implements RunOutcome {
    }

    /** The last retry failed and FAILURE is stored: dead-letter the message. */
    record GiveUp(String reason, String exceptionType) implements RunOutcome {
    }
}
