package dev.bullpen.worker.internal.consume;

import java.time.Instant;

/** What becomes of a delivered task before it runs: run it now, skip it with a final state, or park it until later. */
sealed interface Admission {

    Admission RUN = new Run();

    /** Run the task now. */
    record Run() implements Admission {
    }

    /** Do not run it; store REVOKED with this reason ({@code expired}, {@code revoked}), as Celery does. */
    record Revoke(String reason) implements Admission {
    }

    /** Not before {@code until}: park the message broker-side and take it again then. */
    record Defer(Instant until, String reason) implements Admission {
    }
}
