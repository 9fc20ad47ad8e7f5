package dev.bullpen.worker.internal.run;

import dev.bullpen.client.TaskClient;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.result.CeleryErrors;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.worker.SoftTimeLimitExceeded;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs one task message to its end and stores the outcome. Returns only once the result is stored,
 * so the caller may then acknowledge the message. A failed write is retried (see
 * {@link ResultWriter}); if it still fails, or the worker gives up on the run at shutdown, it throws
 * {@link HandBack} and the message must not be acknowledged. A retry stores RETRY and a last failed
 * retry stores FAILURE; the returned {@link RunOutcome} tells the caller to send the retry, or to
 * dead-letter the message, before it acknowledges.
 */
public final class TaskRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
    private static final int MAX_TRACEBACK = 64 * 1024;

    private final TaskRegistry registry;
    private final ResultWriter results;
    private final String workerName;
    private final boolean trackStarted;
    private final RunningTasks running = new RunningTasks();
    private final TaskMeters meters;
    private final @Nullable Continuations continuations;

    public TaskRunner(TaskRegistry registry, ResultBackend results, String workerName, boolean trackStarted,
            TaskMeters meters) {
        this(registry, results, workerName, trackStarted, meters, Duration.ofSeconds(60));
    }

    /** A runner that runs no links, chains or chords. */
    public TaskRunner(TaskRegistry registry, ResultBackend results, String workerName, boolean trackStarted,
            TaskMeters meters, Duration resultRetryTimeout) {
        this(registry, results, workerName, trackStarted, meters, resultRetryTimeout, null);
    }

    /**
     * @param resultRetryTimeout how long a failed result write is retried, the message held, before
     *        the message goes back to the broker
     * @param canvas sends links, chain steps, errbacks and chord bodies; {@code null} sends none
     */
    public TaskRunner(TaskRegistry registry, ResultBackend results, String workerName, boolean trackStarted,
            TaskMeters meters, Duration resultRetryTimeout, @Nullable TaskClient canvas) {
        this.continuations = canvas == null ? null : new Continuations(canvas, results);
        PoolBuiltins.register(registry, canvas);
        this.registry = registry;
        this.results = new ResultWriter(results, resultRetryTimeout);
        this.workerName = workerName;
        this.trackStarted = trackStarted;
        this.meters = meters;
    }

    /** Runs the task and stores its result; says what is left to do before the message is acknowledged. */
    public RunOutcome run(TaskMessage message, String queue) {
        ResultMeta meta = meta(message, queue);
        TaskMethod method = registry.find(message.task());
        if (method == null) {
            // What a Celery worker stores for a name it does not know, so Python's get() raises NotRegistered.
            log.error("Received unregistered task {}[{}] on queue {}: stored FAILURE NotRegistered",
                    message.task(), message.id(), queue);
            TaskResult failure = TaskResult.failure(message.id(), TaskState.FAILURE,
                    CeleryErrors.notRegistered(message.task()), meta);
            results.store(failure);
            follow(message, failure);
            meters.failed(message, queue);
            return RunOutcome.DONE;
        }
        if (trackStarted) {
            ObjectNode started = CeleryJson.mapper().createObjectNode();
            started.put("pid", ProcessHandle.current().pid());
            started.put("hostname", workerName);
            results.store(new TaskResult(message.id(), TaskState.STARTED, started, null, null, meta));
        }
        long start = meters.started(message, queue);
        TaskResult outcome;
        Attempt attempt = running.begin(message, queue, method.timeLimits().forCall(message.headers().timeLimit()));
        try {
            Object value = attempt.invoke(method, new Invocation(message, queue, workerName, attempt));
            outcome = TaskResult.success(message.id(), toJson(value), meta);
            if (log.isDebugEnabled()) { // the duration is formatted eagerly: a String.format on every task otherwise
                log.debug("Task {}[{}] succeeded in {} ms", message.task(), message.id(), millis(start));
            }
        } catch (AttemptStopped stopped) {
            if (stopped.reason() == AttemptStopped.Reason.SHUTDOWN) {
                throw new HandBack("the worker stopped while task " + message.id() + " ran");
            }
            outcome = TaskResult.failure(message.id(), stopped.reason() == AttemptStopped.Reason.TERMINATED
                    ? TaskState.REVOKED : TaskState.FAILURE, stoppedError(stopped), meta);
        } catch (RetryRequest request) {
            RetryPolicy policy = method.retryPolicy();
            Duration delay = request.countdown() != null ? request.countdown() : Duration.ofSeconds(policy.retryDelay());
            return retry(message, queue, meta, policy, delay, request.getCause(), start);
        } catch (TaskArgumentException ex) {
            outcome = TaskResult.failure(message.id(), TaskState.FAILURE, errorOf(ex), meta);
            log.warn("Task {}[{}] called with arguments that do not fit: {}", message.task(), message.id(), ex.getMessage());
        } catch (ItemFailed ex) {
            outcome = ex.outcome(message.id(), meta);
            log.warn("Task {}[{}] failed in {} ms: {}", message.task(), message.id(), millis(start), ex.getMessage());
        } catch (Throwable ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (ex instanceof VirtualMachineError vm) {
                throw vm;
            }
            RetryPolicy policy = method.retryPolicy();
            if (policy.retriesOn(ex)) {
                return retry(message, queue, meta, policy,
                        policy.nextDelay(message.headers().retries(), ThreadLocalRandom.current()), ex, start);
            }
            outcome = TaskResult.failure(message.id(), TaskState.FAILURE, errorOf(ex), meta);
            log.warn("Task {}[{}] failed in {} ms: {}", message.task(), message.id(), millis(start), ex.toString());
        } finally {
            running.end(attempt);
        }
        String deadLetter = null;
        if (!message.headers().ignoreResult()) {
            try {
                results.store(outcome);
            } catch (StoredInstead instead) {
                outcome = instead.stored(); // what callbacks, chords and meters go by: the task's result is no more
                deadLetter = instead.deadLetterReason();
            }
        }
        follow(message, outcome);
        if (outcome.state() == TaskState.SUCCESS) {
            meters.succeeded(message, queue, start);
        } else if (outcome.state() == TaskState.REVOKED) {
            meters.revoked(message, queue); // terminated while running
        } else {
            meters.failed(message, queue, start);
        }
        return deadLetter == null ? RunOutcome.DONE : new RunOutcome.GiveUp(deadLetter, CeleryErrors.RESULT_STORE_ERROR);
    }

    /**
     * Celery's {@code Task.retry}: within {@code maxRetries}, store RETRY with the cause; past it, store
     * FAILURE with the cause (or {@code MaxRetriesExceededError} when there is none).
     */
    private RunOutcome retry(TaskMessage message, String queue, ResultMeta meta, RetryPolicy policy, Duration delay,
            @Nullable Throwable cause, long startNanos) {
        int retries = message.headers().retries();
        if (!policy.mayRetry(retries)) {
            RemoteError error = cause != null ? RemoteError.of(cause, traceback(cause))
                    : CeleryErrors.maxRetriesExceeded(message.task(), message.id());
            log.warn("Task {}[{}] failed after {} retries, moved to {}: {}", message.task(), message.id(), retries,
                    DeadLetters.queueFor(queue), cause != null ? cause.toString() : error.type());
            TaskResult failure = TaskResult.failure(message.id(), TaskState.FAILURE, error, meta);
            if (!message.headers().ignoreResult()) {
                results.store(failure);
            }
            follow(message, failure);
            meters.failed(message, queue, startNanos);
            String module = error.module();
            return new RunOutcome.GiveUp("max retries exceeded", module == null ? error.type() : module + "." + error.type());
        }
        RemoteError error = cause != null ? RemoteError.of(cause, traceback(cause))
                : CeleryErrors.retryIn(delay);
        log.info("Task {}[{}] retry {} of {} in {}: {}", message.task(), message.id(), retries + 1,
                policy.maxRetries() < 0 ? "unlimited" : policy.maxRetries(), delay, cause != null ? cause.toString() : "requested");
        if (!message.headers().ignoreResult()) {
            results.store(TaskResult.failure(message.id(), TaskState.RETRY, error, meta));
        }
        meters.retried(message, queue, startNanos);
        return new RunOutcome.Retry(delay);
    }

    /**
     * Terminates the task if it runs on this worker now: interrupts it, and its run then stores
     * REVOKED ({@code TaskRevokedError("terminated")}) whatever the task returns; true if it ran here.
     */
    public boolean terminate(String taskId) {
        return running.terminate(taskId);
    }

    /** The tasks running on this worker now, for Celery's {@code inspect active}. */
    public List<ActiveTask> active() {
        return running.active();
    }

    /**
     * A stopping worker gives up on what still runs: each run is interrupted and stores nothing,
     * and result writes still being retried stop; their messages go back to the broker. Answers how
     * many runs it stopped.
     */
    public int abandonAll() {
        results.giveUp();
        return running.stopAll(AttemptStopped.Reason.SHUTDOWN);
    }

    /** How many tasks run now. */
    public int running() {
        return running.size();
    }

    /** Celery's errors for a stopped run: {@code TaskRevokedError("terminated")}, {@code TimeLimitExceeded(seconds)}. */
    private static RemoteError stoppedError(AttemptStopped stopped) {
        if (stopped.reason() == AttemptStopped.Reason.TERMINATED) {
            return CeleryErrors.terminated();
        }
        return CeleryErrors.timeLimitExceeded(stopped.hardLimit() == null ? Duration.ZERO : stopped.hardLimit());
    }

    /**
     * A task's exception as stored; {@link SoftTimeLimitExceeded} is Celery's, so Python clients know
     * it, and arguments that do not fit the method are Python's {@code TypeError}.
     */
    static RemoteError errorOf(Throwable ex) {
        if (ex instanceof TaskArgumentException) {
            return CeleryErrors.typeError(ex.getMessage(), traceback(ex));
        }
        if (ex instanceof SoftTimeLimitExceeded) {
            return CeleryErrors.softTimeLimitExceeded(ex.getMessage(), traceback(ex));
        }
        return RemoteError.of(ex, traceback(ex));
    }

    /** Stores REVOKED for a task that will not run, with Celery's {@code TaskRevokedError(reason)}. */
    public void revoke(TaskMessage message, String queue, String reason) {
        log.info("Task {}[{}] {}: not run, stored REVOKED", message.task(), message.id(), reason);
        TaskResult revoked = TaskResult.failure(message.id(), TaskState.REVOKED, CeleryErrors.revoked(reason),
                meta(message, queue));
        results.store(revoked);
        follow(message, revoked);
        meters.revoked(message, queue);
    }

    /** Links, chain, errbacks and chord bookkeeping, before the message is acknowledged. */
    private void follow(TaskMessage message, TaskResult outcome) {
        if (continuations != null) {
            continuations.after(message, outcome);
        }
    }

    /** Stops the time limits' timer. */
    @Override
    public void close() {
        running.close();
    }

    private ResultMeta meta(TaskMessage message, String queue) {
        return new ResultMeta(message.task(), message.args(), message.kwargs(), workerName,
                message.headers().retries(), queue, message.headers().parentId(), message.headers().group());
    }

    private static JsonNode toJson(@Nullable Object value) {
        try {
            return CeleryJson.mapper().valueToTree(value);
        } catch (JacksonException ex) {
            throw new IllegalStateException("the task's return value cannot be converted to JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    private static String traceback(Throwable ex) {
        StringWriter out = new StringWriter();
        ex.printStackTrace(new PrintWriter(out));
        String text = out.toString();
        return text.length() <= MAX_TRACEBACK ? text : text.substring(0, MAX_TRACEBACK) + "\n... (truncated)";
    }

    private static String millis(long startNanos) {
        return String.format("%.1f", (System.nanoTime() - startNanos) / 1e6);
    }
}
