package dev.bullpen.worker.internal.run;

import dev.bullpen.result.CeleryErrors;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.ResultStoreRefusedException;
import dev.bullpen.result.ResultTooLargeException;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Stores results, retrying a failed write with capped exponential backoff for up to
 * {@code bullpen.worker.result-retry-timeout}, with the result in hand and the message unacknowledged.
 * Redis being away for a while then costs a delay, not a second run of the task. Past the timeout,
 * or once the worker gives up on its runs at shutdown, it throws {@link HandBack}: the message goes
 * back to the broker and nothing is acknowledged without its result.
 *
 * <p>A result that can never be stored is not retried: one over {@code bullpen.result.max-bytes}, or
 * one Redis refuses while it takes a small write, is replaced by a FAILURE saying why (thrown as
 * {@link StoredInstead}); the second also dead-letters its message.
 */
final class ResultWriter {

    private static final Logger log = LoggerFactory.getLogger(ResultWriter.class);
    /** A stand-in's traceback is cut to this; a long one may be what made the result too large. */
    private static final int SHORT_TRACEBACK = 4096;

    private final ResultBackend backend;
    private final Duration retryTimeout;
    private final BackOff backOff;
    private final CountDownLatch givenUp = new CountDownLatch(1);

    ResultWriter(ResultBackend backend, Duration retryTimeout) {
        this(backend, retryTimeout, backOff(Duration.ofMillis(100), Duration.ofSeconds(5)));
    }

    ResultWriter(ResultBackend backend, Duration retryTimeout, BackOff backOff) {
        this.backend = backend;
        this.retryTimeout = retryTimeout;
        this.backOff = backOff;
    }

    /** 100 ms, 200 ms, 400 ms ... up to {@code max}, with jitter so that many waiting tasks do not retry in step. */
    static BackOff backOff(Duration initial, Duration max) {
        ExponentialBackOff exponential = new ExponentialBackOff(initial.toMillis(), 2.0);
        exponential.setMaxInterval(max.toMillis());
        exponential.setJitter(initial.toMillis() / 2);
        return exponential;
    }

    /**
     * Stores the result, retrying until it is stored or the retry timeout has passed.
     *
     * @return what {@link ResultBackend#store} answered
     * @throws HandBack when it could not be stored in time, or {@link #giveUp()} was called
     */
    boolean store(TaskResult result) {
        BackOffExecution retries = null;
        long deadline = 0;
        int failures = 0;
        while (true) {
            try {
                boolean stored = backend.store(result);
                if (failures > 0) {
                    log.info("Stored {} of task {} after {} failed write(s)", result.state(), result.taskId(), failures);
                }
                return stored;
            } catch (ResultTooLargeException ex) {
                return tooLarge(result, ex);
            } catch (RuntimeException ex) {
                if (ex instanceof ResultStoreRefusedException refused && failures == 0) {
                    // The store answered, and said no: is it this result, or the store? A small write tells.
                    Boolean instead = refused(result, refused);
                    if (instead != null) {
                        return instead;
                    }
                }
                failures++;
                if (retries == null) {
                    retries = backOff.start();
                    deadline = System.nanoTime() + retryTimeout.toNanos();
                    log.warn("Cannot store {} of task {} ({}); retrying for up to {}, its message stays unacknowledged",
                            result.state(), result.taskId(), ex.toString(), retryTimeout);
                }
                long left = deadline - System.nanoTime();
                long wait = retries.nextBackOff();
                if (left <= 0 || wait == BackOffExecution.STOP) {
                    throw new HandBack("the result of task " + result.taskId() + " could not be stored within "
                            + retryTimeout + " (" + failures + " tries)", ex);
                }
                if (pause(Math.min(TimeUnit.MILLISECONDS.toNanos(wait), left))) {
                    throw new HandBack("the worker stopped before the result of task " + result.taskId()
                            + " could be stored", ex);
                }
            }
        }
    }

    /** A result over the limit: its stand-in is stored, or the write goes back as any other that failed. */
    private boolean tooLarge(TaskResult result, ResultTooLargeException ex) {
        TaskResult instead = standIn(result, CeleryErrors.resultTooLarge(ex.getMessage()));
        if (!result.state().isReady()) {
            return instead != null; // a step on the way, not worth a FAILURE: the task's own outcome comes later
        }
        if (instead == null) {
            throw new HandBack("neither the result of task " + result.taskId() + " nor a FAILURE in its place could be "
                    + "stored: " + ex.getMessage(), ex);
        }
        throw new StoredInstead(instead, null);
    }

    /**
     * After the store refused a write: if a small stand-in is taken, the store is fine and this result
     * never will be (Redis drops a value over its {@code proto-max-bulk-len}, say), and the run ends
     * with the stand-in and a dead letter, rather than with retries that would fail, and fail their
     * neighbours on the same connection, forever. Answers null when the stand-in is refused too: the
     * store is the trouble, and the write is retried as any other.
     */
    private @Nullable Boolean refused(TaskResult result, ResultStoreRefusedException ex) {
        TaskResult instead = standIn(result, CeleryErrors.resultStoreError(ex.getMessage()));
        if (!result.state().isReady()) {
            return instead != null;
        }
        if (instead == null) {
            return null;
        }
        throw new StoredInstead(instead, "the result store refused the result: " + ex.getMessage());
    }

    /**
     * Stores a small stand-in for a result the store will not take: the same state without the task's
     * arguments and with a short traceback; for a SUCCESS, or where that is refused too, a FAILURE of
     * {@code why}. Answers what was stored, or null if nothing was (or, for a state on the
     * way, STARTED or RETRY, nothing needed to be).
     */
    private @Nullable TaskResult standIn(TaskResult result, RemoteError why) {
        log.error("Task {}: its {} cannot be stored ({}); storing {} in its place", result.taskId(), result.state(),
                why.message(), result.state() == TaskState.SUCCESS ? "a FAILURE " + why.type() : "a smaller one");
        if (result.state() != TaskState.SUCCESS) {
            String traceback = result.traceback();
            TaskResult smaller = new TaskResult(result.taskId(), result.state(), result.result(),
                    traceback == null || traceback.length() <= SHORT_TRACEBACK ? traceback
                            : traceback.substring(0, SHORT_TRACEBACK) + "\n... (truncated)",
                    result.dateDone(), result.meta().withoutArguments(), result.children());
            if (tryStore(smaller)) {
                return smaller;
            }
        }
        if (!result.state().isReady()) {
            return null;
        }
        TaskResult failure = TaskResult.failure(result.taskId(), TaskState.FAILURE, why, result.meta().withoutArguments());
        return tryStore(failure) ? failure : null;
    }

    private boolean tryStore(TaskResult result) {
        try {
            backend.store(result);
            return true;
        } catch (RuntimeException ex) {
            log.warn("Could not store the stand-in {} of task {} either: {}", result.state(), result.taskId(), ex.toString());
            return false;
        }
    }

    /** Waits; true if the worker gave up meanwhile (or this thread was interrupted). */
    private boolean pause(long nanos) {
        try {
            return givenUp.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** A stopping worker's shutdown timeout ran out: writes still being retried give up now. */
    void giveUp() {
        givenUp.countDown();
    }
}
