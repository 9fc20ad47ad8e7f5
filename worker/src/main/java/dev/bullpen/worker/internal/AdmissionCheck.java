package dev.bullpen.worker.internal;

import dev.bullpen.protocol.TaskMessage;
import java.time.Instant;

/** One reason a task may not run now. Checks run in order; the first answer that is not RUN wins. */
@FunctionalInterface
interface AdmissionCheck {

    Admission check(TaskMessage message, String queue, Instant now);

    /** A task past its {@code expires} is revoked, not run. */
    AdmissionCheck EXPIRES = (message, queue, now) -> {
        var expires = message.headers().expires();
        return expires != null && expires.toInstant().isBefore(now) ? new Admission.Revoke("expired") : Admission.RUN;
    };

    /** A task whose {@code eta} has not come yet waits for it. */
    AdmissionCheck ETA = (message, queue, now) -> {
        var eta = message.headers().eta();
        return eta != null && eta.toInstant().isAfter(now) ? new Admission.Defer(eta.toInstant(), "eta") : Admission.RUN;
    };
}
