package dev.bullpen.metrics;

/**
 * Every meter Bullpen registers, and its tag keys, in one place. Micrometer's dot.case names with a
 * {@code bullpen.} prefix; Prometheus shows them with underscores and a unit or {@code _total}
 * suffix ({@code bullpen.tasks.succeeded} is {@code bullpen_tasks_succeeded_total}). Tags are
 * low-cardinality only: task name, queue, outcome, never a task id.
 */
public final class MeterNames {

    /** Worker: task messages taken from a queue (counter; task, queue). */
    public static final String TASKS_RECEIVED = "bullpen.tasks.received";
    /** Worker: task methods started (counter; task, queue). */
    public static final String TASKS_STARTED = "bullpen.tasks.started";
    /** Worker: tasks that returned and whose SUCCESS is stored (counter; task, queue). */
    public static final String TASKS_SUCCEEDED = "bullpen.tasks.succeeded";
    /** Worker: tasks stored as FAILURE, including the last failed retry (counter; task, queue). */
    public static final String TASKS_FAILED = "bullpen.tasks.failed";
    /** Worker: retries scheduled (counter; task, queue). */
    public static final String TASKS_RETRIED = "bullpen.tasks.retried";
    /** Worker: tasks stored as REVOKED: expired, revoked or terminated (counter; task, queue). */
    public static final String TASKS_REVOKED = "bullpen.tasks.revoked";
    /** Worker: how long the task method ran (timer with histogram; task, queue). */
    public static final String TASK_RUNTIME = "bullpen.task.runtime";
    /**
     * Worker: from when the task was due (its publish, or its ETA if later) to its start (timer with
     * histogram; task, queue). Needs the publish time that Bullpen's client sends; tasks from other
     * clients are not timed.
     */
    public static final String TASK_WAIT = "bullpen.task.wait";
    /**
     * Worker: rate-limited tasks that could not start at once (counter; task, queue, outcome):
     * {@code waited} for a token due within a second, or {@code parked} in the broker until later.
     */
    public static final String TASKS_RATE_LIMITED = "bullpen.tasks.rate.limited";
    /** Worker: task messages received and not yet acknowledged (gauge). */
    public static final String TASKS_IN_FLIGHT = "bullpen.tasks.in.flight";

    /** Client: tasks the broker confirmed (counter; task, queue). */
    public static final String TASKS_PUBLISHED = "bullpen.tasks.published";
    /** Client: from publish to the broker's confirm (timer with histogram; queue, outcome). */
    public static final String PUBLISH_LATENCY = "bullpen.publish.latency";

    /** Producer: messages ready in a queue, from the broker (gauge; queue). */
    public static final String QUEUE_MESSAGES_READY = "bullpen.queue.messages.ready";
    /** Producer: messages delivered and not yet acknowledged in a queue (gauge; queue). */
    public static final String QUEUE_MESSAGES_UNACKED = "bullpen.queue.messages.unacked";
    /** Producer: consumers of a queue (gauge; queue). */
    public static final String QUEUE_CONSUMERS = "bullpen.queue.consumers";
    /** Producer: workers whose heartbeat arrived recently (gauge). */
    public static final String WORKERS_ALIVE = "bullpen.workers.alive";
    /** Producer: submissions answered from an earlier request with the same Idempotency-Key (counter). */
    public static final String IDEMPOTENT_REPLAYS = "bullpen.idempotent.replays";
    /** Producer: duplicate submissions waiting for the request that claimed their Idempotency-Key (gauge). */
    public static final String IDEMPOTENT_WAITING = "bullpen.idempotent.waiting";
    /**
     * Producer: due ticks of a schedule this producer handled (counter; schedule, outcome):
     * {@code published}, {@code skipped} (older than {@code bullpen.scheduler.catch-up}), or {@code failed}
     * (not published this time, retried). Summed over the producers, published counts each tick once.
     */
    public static final String SCHEDULE_TICKS = "bullpen.schedule.ticks";

    /**
     * Client (producer): revocations dropped, oldest first, because more than {@code bullpen.revoke.max}
     * were kept (counter). A dropped id is no longer revoked: its task runs if it is still queued.
     */
    public static final String REVOCATIONS_DROPPED = "bullpen.revocations.dropped";

    /**
     * The task tag of names the application does not know (the worker: no task registered under the
     * name; the producer: neither configured nor reported by a live worker), so that a stream of
     * unknown names cannot grow the number of series without bound.
     */
    public static final String UNREGISTERED = "unregistered";
    /** The queue tag of queues the producer does not know, for the same reason as {@link #UNREGISTERED}. */
    public static final String OTHER_QUEUE = "other";

    /** Tag: the task name. */
    public static final String TAG_TASK = "task";
    /** Tag: the queue. */
    public static final String TAG_QUEUE = "queue";
    /** Tag: the schedule's name (schedules are few and named by their operators). */
    public static final String TAG_SCHEDULE = "schedule";
    /** Tag: {@code success} or {@code error}; for {@link #TASKS_RATE_LIMITED}, {@code waited} or {@code parked}. */
    public static final String TAG_OUTCOME = "outcome";

    /**
     * The header in which Bullpen's client sends the publish time (epoch seconds, a float like
     * Celery's event timestamps), so workers can time the wait. Celery ignores headers it does not know.
     */
    public static final String PUBLISHED_AT_HEADER = "x-bullpen-published-at";

    private MeterNames() {
    }
}
