package dev.bullpen.worker.internal.run;

import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.worker.internal.limits.TimeLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks running on this worker now, by id, so that a terminating revoke reaches them, and the
 * timers of their time limits. A task without limits costs a map entry and nothing else.
 */
final class RunningTasks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RunningTasks.class);

    private final Map<String, Attempt> running = new ConcurrentHashMap<>();
    private final Map<Attempt, List<ScheduledFuture<?>>> timers = new ConcurrentHashMap<>();
    private final Map<Attempt, ActiveTask> described = new ConcurrentHashMap<>();
    private volatile @Nullable ScheduledThreadPoolExecutor clock;

    /** Registers a run of {@code message}, which {@link #active()} then lists, and starts its time limits' timers. */
    Attempt begin(TaskMessage message, String queue, TimeLimits limits) {
        Attempt attempt = begin(message.id(), limits);
        described.put(attempt, new ActiveTask(message, queue, Instant.now()));
        return attempt;
    }

    /** Registers a run and starts its time limits' timers. */
    Attempt begin(String taskId, TimeLimits limits) {
        Attempt attempt = new Attempt(taskId, limits);
        running.put(taskId, attempt);
        if (!limits.isNone()) {
            List<ScheduledFuture<?>> scheduled = new ArrayList<>(2);
            if (limits.soft() != null) {
                scheduled.add(schedule(limits.soft(), () -> {
                    log.warn("Soft time limit ({}) exceeded for {}: interrupting it", limits.soft(), taskId);
                    attempt.softLimitPassed();
                }));
            }
            if (limits.hard() != null) {
                scheduled.add(schedule(limits.hard(), () -> {
                    if (attempt.stop(AttemptStopped.Reason.HARD_TIME_LIMIT)) {
                        log.error("Hard time limit ({}) exceeded for {}: failing it with TimeLimitExceeded; "
                                + "its slot is freed now and any later result of it is dropped", limits.hard(), taskId);
                    }
                }));
            }
            timers.put(attempt, scheduled);
        }
        return attempt;
    }

    /** The run is over (finished or stopped): forget it and cancel its timers. */
    void end(Attempt attempt) {
        running.remove(attempt.taskId(), attempt);
        described.remove(attempt);
        List<ScheduledFuture<?>> scheduled = timers.remove(attempt);
        if (scheduled != null) {
            scheduled.forEach(timer -> timer.cancel(false));
        }
    }

    /** Terminates the task if it runs here now (Celery's {@code revoke(terminate=True)}); true if it did. */
    boolean terminate(String taskId) {
        Attempt attempt = running.get(taskId);
        if (attempt != null && attempt.stop(AttemptStopped.Reason.TERMINATED)) {
            log.info("Task {} terminated by a revoke: interrupted, to be stored REVOKED", taskId);
            return true;
        }
        return false;
    }

    /** The runs under way that were begun with their message (Celery's {@code inspect active}). */
    List<ActiveTask> active() {
        return List.copyOf(described.values());
    }

    /** Stops every run still going (a stopping worker gives up on them); answers how many it stopped. */
    int stopAll(AttemptStopped.Reason reason) {
        int stopped = 0;
        for (Attempt attempt : running.values()) {
            if (attempt.stop(reason)) {
                stopped++;
            }
        }
        return stopped;
    }

    int size() {
        return running.size();
    }

    private ScheduledFuture<?> schedule(Duration delay, Runnable action) {
        return clock().schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One daemon timer thread, made only when a task has a limit; it only flips flags and interrupts. */
    private ScheduledThreadPoolExecutor clock() {
        ScheduledThreadPoolExecutor current = clock;
        if (current == null) {
            synchronized (this) {
                current = clock;
                if (current == null) {
                    current = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("bullpen-time-limits")
                            .factory());
                    current.setRemoveOnCancelPolicy(true);
                    clock = current;
                }
            }
        }
        return current;
    }

    @Override
    public void close() {
        ScheduledThreadPoolExecutor current = clock;
        if (current != null) {
            current.shutdownNow();
        }
    }
}
