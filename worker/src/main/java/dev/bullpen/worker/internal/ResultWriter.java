package dev.bullpen.worker.internal;

import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 */
final class ResultWriter {

    private static final Logger log = LoggerFactory.getLogger(ResultWriter.class);

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
            } catch (RuntimeException ex) {
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
