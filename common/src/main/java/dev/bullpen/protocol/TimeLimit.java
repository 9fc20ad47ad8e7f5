package dev.bullpen.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The {@code timelimit} header. On the wire it is {@code [hard, soft]} in seconds, despite
 * Celery's documentation saying {@code (soft, hard)}: that is what Celery sends and reads.
 *
 * @param hard seconds after which the task is stopped and fails, or {@code null}
 * @param soft seconds after which the task is interrupted and may clean up, or {@code null}
 */
public record TimeLimit(@Nullable Double hard, @Nullable Double soft) {

    /** No limits. */
    public static final TimeLimit NONE = new TimeLimit(null, null);
}
