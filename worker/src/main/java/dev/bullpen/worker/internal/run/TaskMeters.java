package dev.bullpen.worker.internal.run;

import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.TaskMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The worker's task meters ({@link MeterNames}), tagged by task and queue. All of a task's meters
 * are registered together on its first message, so a dashboard finds every series (a failure count
 * of zero, say) from the start; after that a message costs map lookups, not registry lookups.
 * Names the worker has no task for share one tag value, so that a stream of unknown names cannot
 * grow the number of series without bound.
 */
public final class TaskMeters {

    static final String UNREGISTERED = "unregistered";
    /** Outcomes of {@link MeterNames#TASKS_RATE_LIMITED}. */
    public static final String RATE_LIMIT_WAITED = "waited";
    public static final String RATE_LIMIT_PARKED = "parked";

    private record Key(String task, String queue) {
    }

    private record Meters(Counter received, Counter started, Counter succeeded, Counter failed, Counter retried,
            Counter revoked, Timer runtime, Timer waited) {
    }

    private final MeterRegistry registry;
    private final TaskRegistry tasks;
    private final ConcurrentMap<Key, Meters> meters = new ConcurrentHashMap<>();

    public TaskMeters(MeterRegistry registry, TaskRegistry tasks) {
        this.registry = registry;
        this.tasks = tasks;
    }

    public void received(TaskMessage message, String queue) {
        of(message, queue).received().increment();
    }

    /** The task method is about to run; returns the start time to pass to {@link #finished}. */
    long started(TaskMessage message, String queue) {
        Meters m = of(message, queue);
        m.started().increment();
        Instant due = due(message);
        if (due != null) {
            Duration waited = Duration.between(due, Instant.now());
            m.waited().record(waited.isNegative() ? Duration.ZERO : waited);
        }
        return System.nanoTime();
    }

    void succeeded(TaskMessage message, String queue, long startNanos) {
        Meters m = of(message, queue);
        m.runtime().record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        m.succeeded().increment();
    }

    void failed(TaskMessage message, String queue, long startNanos) {
        Meters m = of(message, queue);
        m.runtime().record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        m.failed().increment();
    }

    /** A task that never ran: unregistered, or its arguments did not fit. */
    void failed(TaskMessage message, String queue) {
        of(message, queue).failed().increment();
    }

    void retried(TaskMessage message, String queue, long startNanos) {
        Meters m = of(message, queue);
        m.runtime().record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        m.retried().increment();
    }

    /**
     * A rate-limited task had to wait ({@link #RATE_LIMIT_WAITED}) or was parked ({@link #RATE_LIMIT_PARKED}).
     * Registered on first use: only rate-limited tasks have these series.
     */
    public void rateLimited(TaskMessage message, String queue, String outcome) {
        Counter.builder(MeterNames.TASKS_RATE_LIMITED).description("Rate-limited tasks that could not start at once")
                .tag(MeterNames.TAG_TASK, message.task()).tag(MeterNames.TAG_QUEUE, queue)
                .tag(MeterNames.TAG_OUTCOME, outcome).register(registry).increment();
    }

    void revoked(TaskMessage message, String queue) {
        of(message, queue).revoked().increment();
    }

    /** Task messages received so far, for Celery's {@code processed} heartbeat field. */
    public long processed() {
        return meters.values().stream().mapToLong(m -> (long) m.received().count()).sum();
    }

    /** Task methods started so far, by task name, for Celery's {@code inspect stats} ({@code total}). */
    public Map<String, Long> startedByTask() {
        Map<String, Long> totals = new TreeMap<>();
        meters.forEach((key, m) -> {
            long started = (long) m.started().count();
            if (started > 0) {
                totals.merge(key.task(), started, Long::sum);
            }
        });
        return totals;
    }

    /**
     * When the task was due: the later of its publish time (sent by Bullpen's client) and its ETA.
     * A task from another client without an ETA has no known due time and is not timed.
     */
    private static @Nullable Instant due(TaskMessage message) {
        Instant published = message.headers().extra().get(MeterNames.PUBLISHED_AT_HEADER) instanceof Number n
                ? Instant.ofEpochMilli(Math.round(n.doubleValue() * 1000)) : null;
        OffsetDateTime etaTime = message.headers().eta();
        Instant eta = etaTime == null ? null : etaTime.toInstant();
        if (published == null || eta == null) {
            return published == null ? eta : published;
        }
        return eta.isAfter(published) ? eta : published;
    }

    private Meters of(TaskMessage message, String queue) {
        String task = tasks.find(message.task()) != null ? message.task() : UNREGISTERED;
        return meters.computeIfAbsent(new Key(task, queue), this::register);
    }

    private Meters register(Key key) {
        return new Meters(counter(MeterNames.TASKS_RECEIVED, "Task messages taken from a queue", key),
                counter(MeterNames.TASKS_STARTED, "Task methods started", key),
                counter(MeterNames.TASKS_SUCCEEDED, "Tasks that succeeded", key),
                counter(MeterNames.TASKS_FAILED, "Tasks stored as FAILURE", key),
                counter(MeterNames.TASKS_RETRIED, "Retries scheduled", key),
                counter(MeterNames.TASKS_REVOKED, "Tasks stored as REVOKED", key),
                timer(MeterNames.TASK_RUNTIME, "How long the task method ran", key, Duration.ofSeconds(3600)),
                timer(MeterNames.TASK_WAIT, "From when the task was due to its start", key, Duration.ofSeconds(3600)));
    }

    private Counter counter(String name, String description, Key key) {
        return Counter.builder(name).description(description).tag(MeterNames.TAG_TASK, key.task())
                .tag(MeterNames.TAG_QUEUE, key.queue()).register(registry);
    }

    private Timer timer(String name, String description, Key key, Duration max) {
        return Timer.builder(name).description(description).tag(MeterNames.TAG_TASK, key.task())
                .tag(MeterNames.TAG_QUEUE, key.queue()).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(max).register(registry);
    }
}
