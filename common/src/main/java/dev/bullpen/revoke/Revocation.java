package dev.bullpen.revoke;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One revoked task id.
 *
 * @param taskId the task that must not run
 * @param terminate whether a run already under way is to be interrupted too (Celery's {@code terminate=True})
 * @param expiresAt when the revocation is forgotten
 */
public record Revocation(String taskId, boolean terminate, Instant expiresAt) {

    public Revocation {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Whether it still holds at {@code now}. */
    public boolean isActive(Instant now) {
        return now.isBefore(expiresAt);
    }

    /**
     * The revocation that holds once {@code next} is made after this one: the later expiry, and
     * {@code terminate} once asked for stays (a later plain revoke must not undo it). {@code next}
     * itself when this one has expired.
     */
    Revocation renewedBy(Revocation next, Instant now) {
        if (!isActive(now)) {
            return next;
        }
        return new Revocation(taskId, terminate || next.terminate(),
                expiresAt.isAfter(next.expiresAt()) ? expiresAt : next.expiresAt());
    }

    /** Whether {@code next} tells a watcher anything beyond {@code previous}: new, or now terminating. */
    static boolean isNews(@Nullable Revocation previous, Revocation next, Instant now) {
        return previous == null || !previous.isActive(now) || (next.terminate() && !previous.terminate());
    }
}
