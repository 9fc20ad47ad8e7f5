package dev.bullpen.client;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How to send one task: Celery's {@code apply_async} options. Immutable; each {@code with} method
 * returns a copy.
 *
 * <pre>{@code
 * TaskOptions.defaults().queue("images").countdown(Duration.ofSeconds(30)).priority(5)
 * }</pre>
 *
 * @param queue the queue to send to; when null, the task's route ({@link TaskRoutes}), else the client's default queue
 * @param countdown run no sooner than this long from now
 * @param eta run no sooner than this instant (wins over countdown)
 * @param expires do not run after this instant
 * @param priority the AMQP priority, 0..255 (use 0..9, as Celery does); on a queue declared with
 *        {@code x-max-priority} a higher one is delivered first, one above the maximum counts as the maximum
 * @param taskId the id to use instead of a random UUID
 * @param timeLimit the hard time limit
 * @param softTimeLimit the soft time limit
 * @param ignoreResult store no result
 * @param worker the node name of the one worker to run it (e.g. {@code bullpen@host-1}): sent to that
 *        worker's own queue, Celery's {@code worker_direct} ({@code <worker>.dq2} on exchange {@code C.dq2}),
 *        instead of a shared queue; null for any worker of the queue
 */
public record TaskOptions(@Nullable String queue, @Nullable Duration countdown, @Nullable Instant eta,
        @Nullable Instant expires, @Nullable Integer priority, @Nullable String taskId,
        @Nullable Duration timeLimit, @Nullable Duration softTimeLimit, boolean ignoreResult, @Nullable String worker) {

    private static final TaskOptions DEFAULTS = new TaskOptions(null, null, null, null, null, null, null, null, false, null);

    public TaskOptions {
        if (priority != null && (priority < 0 || priority > 255)) {
            throw new IllegalArgumentException("priority must be 0..255, got " + priority);
        }
        if (countdown != null && countdown.isNegative()) {
            throw new IllegalArgumentException("countdown must not be negative, got " + countdown);
        }
        if (worker != null && worker.isBlank()) {
            throw new IllegalArgumentException("worker must not be blank: give a node name such as bullpen@host, or null");
        }
        if (worker != null && queue != null) {
            throw new IllegalArgumentException("give a queue or a worker, not both: a task for worker " + worker
                    + " goes to its own queue " + worker + ".dq2");
        }
    }

    /** Default queue, run now, no expiry, priority 0, random id. */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    public TaskOptions queue(@Nullable String queue) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    public TaskOptions countdown(@Nullable Duration countdown) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    public TaskOptions eta(@Nullable Instant eta) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    public TaskOptions expires(@Nullable Instant expires) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    /** Expires this long from now. */
    public TaskOptions expiresIn(Duration expiresIn) {
        return expires(Instant.now().plus(expiresIn));
    }

    public TaskOptions priority(@Nullable Integer priority) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    public TaskOptions taskId(@Nullable String taskId) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    public TaskOptions timeLimit(@Nullable Duration timeLimit) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    public TaskOptions softTimeLimit(@Nullable Duration softTimeLimit) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    public TaskOptions ignoreResult(boolean ignoreResult) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    /**
     * Runs the task on the one worker of this node name only, as Celery's
     * {@code apply_async(exchange="C.dq2", routing_key=worker)} does with {@code worker_direct}. The
     * names are those of {@code GET /api/workers} and {@link TaskControl#liveWorkers()}. A name no worker
     * ever used is a {@link UnknownWorkerException}; a worker that is gone keeps its queue, and the task
     * waits there until a worker of that name is back.
     */
    public TaskOptions worker(@Nullable String worker) {
        return new TaskOptions(queue, countdown, eta, expires, priority, taskId, timeLimit, softTimeLimit, ignoreResult, worker);
    }

    /** The instant the task may start: eta, else now plus countdown, else null (now). */
    public @Nullable Instant startAfter(Instant now) {
        if (eta != null) {
            return eta;
        }
        return countdown == null || countdown.isZero() ? null : now.plus(countdown);
    }
}
