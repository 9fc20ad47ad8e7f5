package dev.bullpen.worker.internal.consume;

import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.revoke.Revocations;
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

    /**
     * A revoked task is not run: REVOKED with {@code TaskRevokedError("revoked")}. First, so that a
     * revoked task waiting for its ETA or a retry is settled at once rather than parked again. A
     * lookup in the worker's copy of the revocations: no round trip.
     */
    static AdmissionCheck revokedIn(Revocations revocations) {
        return (message, queue, now) -> revocations.isRevoked(message.id()) ? new Admission.Revoke("revoked") : Admission.RUN;
    }
}
