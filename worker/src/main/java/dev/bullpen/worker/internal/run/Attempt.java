package dev.bullpen.worker.internal.run;

import dev.bullpen.worker.SoftTimeLimitExceeded;
import dev.bullpen.worker.TaskContext;
import dev.bullpen.worker.internal.limits.TimeLimits;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One run of a task on this worker, which a revoke may terminate and its time limits may cut short.
 *
 * <p>Exactly one of "the task finished" and "the run was stopped" wins, under a lock; whichever wins
 * decides the stored outcome, so a late result from a stopped run is dropped, never stored.
 * Interrupts (soft limit, terminate) are sent only under that lock while the run is on, so once it
 * has finished the thread can clear its interrupt status for good.
 *
 * <p>Without a hard limit the task runs on the caller's thread: no thread hop. With one, it runs on
 * a virtual thread of its own and the caller waits for it or for the stop, whichever comes first,
 * so that a task that ignores interrupts still gives its concurrency slot back at the hard limit.
 */
final class Attempt {

    private final String taskId;
    private final TimeLimits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final @Nullable CompletableFuture<@Nullable Object> hopped;
    private @Nullable Thread thread;
    private boolean finished;
    private AttemptStopped.@Nullable Reason stopped;
    private volatile boolean softLimitPassed;
    private final AtomicBoolean softLimitTaken = new AtomicBoolean();

    Attempt(String taskId, TimeLimits limits) {
        this.taskId = taskId;
        this.limits = limits;
        this.hopped = limits.hard() != null ? new CompletableFuture<>() : null;
    }

    String taskId() {
        return taskId;
    }

    TimeLimits limits() {
        return limits;
    }

    /**
     * Runs the task to its end or until stopped.
     *
     * @throws AttemptStopped when it was terminated or ran past its hard limit
     * @throws SoftTimeLimitExceeded when it ended with an interruption after its soft limit passed
     * @throws Throwable whatever else the task threw
     */
    @Nullable Object invoke(TaskMethod method, TaskContext context) throws Throwable {
        return hopped == null ? inline(method, context) : hop(method, context, hopped);
    }

    private @Nullable Object inline(TaskMethod method, TaskContext context) throws Throwable {
        bind(Thread.currentThread());
        @Nullable Object value = null;
        Throwable failure = null;
        try {
            value = method.invoke(context);
        } catch (Throwable ex) {
            failure = ex;
        }
        AttemptStopped.Reason reason = finish();
        if (reason != null || softLimitPassed) {
            Thread.interrupted(); // ours, sent before finish(): do not let it break storing the result
        }
        if (reason != null) {
            throw new AttemptStopped(reason, limits.hard());
        }
        if (failure != null) {
            throw softened(failure);
        }
        return value;
    }

    private @Nullable Object hop(TaskMethod method, TaskContext context, CompletableFuture<@Nullable Object> outcome)
            throws Throwable {
        Thread task = Thread.ofVirtual().name("bullpen-task-limited-" + taskId).unstarted(() -> {
            try {
                Object value = method.invoke(context);
                if (finish() == null) {
                    outcome.complete(value);
                }
            } catch (Throwable ex) {
                if (finish() == null) {
                    outcome.completeExceptionally(softened(ex));
                }
            }
        });
        bind(task);
        task.start();
        try {
            return outcome.get();
        } catch (ExecutionException ex) {
            throw ex.getCause();
        } catch (InterruptedException ex) {
            task.interrupt(); // the worker is being stopped: pass it on to the task
            throw ex;
        }
    }

    /** The soft limit passed: interrupt the task, which sees {@link SoftTimeLimitExceeded}. */
    void softLimitPassed() {
        lock.lock();
        try {
            if (!finished && stopped == null && thread != null) {
                softLimitPassed = true;
                thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the run unless it has finished; true if this call stopped it. */
    boolean stop(AttemptStopped.Reason reason) {
        lock.lock();
        try {
            if (finished || stopped != null) {
                return false;
            }
            stopped = reason;
            if (thread != null) {
                thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
        if (hopped != null) {
            hopped.completeExceptionally(new AttemptStopped(reason, limits.hard()));
        }
        return true;
    }

    /** True the first time it is asked after the soft limit passed: the task hears of it once, as in Celery. */
    boolean takeSoftLimitPassed() {
        return softLimitPassed && !softLimitTaken.getAndSet(true);
    }

    /** {@link SoftTimeLimitExceeded} for an interruption after the soft limit, clearing the interrupt; else {@code ex}. */
    Throwable softened(Throwable ex) {
        if (softLimitPassed && limits.soft() != null && isInterruption(ex)) {
            Thread.interrupted();
            softLimitTaken.set(true);
            return new SoftTimeLimitExceeded(limits.soft(), ex);
        }
        return ex;
    }

    /** The exception, or one of its causes (a task may wrap it), is what an interrupt ends blocking with. */
    private static boolean isInterruption(Throwable ex) {
        int depth = 0;
        for (Throwable t = ex; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException
                    || t instanceof ClosedByInterruptException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    /** Names the thread that runs the task; throws, so the task never starts, if the run was stopped already. */
    private void bind(Thread runner) {
        lock.lock();
        try {
            if (stopped != null) {
                throw new AttemptStopped(stopped, limits.hard());
            }
            thread = runner;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the run finished unless it was stopped first; answers why it was stopped, or null. */
    private AttemptStopped.@Nullable Reason finish() {
        lock.lock();
        try {
            if (stopped == null) {
                finished = true;
            }
            return stopped;
        } finally {
            lock.unlock();
        }
    }
}
