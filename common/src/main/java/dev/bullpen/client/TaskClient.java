package dev.bullpen.client;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.client.internal.PublishMeters;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.metrics.TagValues;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.protocol.TimeLimit;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.revoke.Revocations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pitches tasks by name onto RabbitMQ in Celery's protocol v2, and hands back a {@link TaskHandle}
 * to read the result. Works with Bullpen workers and Python Celery workers alike.
 *
 * <pre>{@code
 * TaskHandle h = client.send("demo.add", List.of(2, 3));
 * int five = h.get(Duration.ofSeconds(10), Integer.class);
 * }</pre>
 *
 * <p>{@link #send} returns only once the broker has confirmed the message; {@link #sendAsync}
 * returns at once with a future, so thousands of tasks can be in flight to the broker together.
 * A message the broker refuses or cannot route is an error, never silence. Thread-safe; share one.
 */
public final class TaskClient implements AutoCloseable {

    /** How long {@link #liveWorkers()} and {@link #broadcast} wait for the workers' pongs: Celery's broadcast timeout. */
    public static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

    private final ConfirmingPublisher publisher;
    private final QueueDeclarations queues;
    private final ResultBackend results;
    private final @Nullable Revocations revocations;
    private final RevokeBroadcast revokeBroadcast;
    private final TaskClientSettings settings;
    private final TaskMessageCodec codec = new TaskMessageCodec();
    private final PublishMeters meters;
    private final WorkflowLauncher workflows;
    private final Broadcasts broadcasts;
    /** Whether Celery's {@code C.dq2} exchange is known to exist: publishing to a missing one would close the channel. */
    private volatile boolean directExchangeDeclared;

    /**
     * A client that records its meters in Micrometer's global registry.
     *
     * @param amqp where the broker is; the client opens its own connection
     * @param results where results are read
     * @param settings queue and publishing settings
     */
    public TaskClient(ConnectionFactory amqp, ResultBackend results, TaskClientSettings settings) {
        this(amqp, results, null, settings, Metrics.globalRegistry);
    }

    /**
     * A client that can also revoke, and records its meters in Micrometer's global registry.
     *
     * @param amqp where the broker is; the client opens its own connection
     * @param results where results are read
     * @param revocations where {@link #revoke} records revoked ids, or {@code null} if this client does not revoke
     * @param settings queue and publishing settings
     */
    public TaskClient(ConnectionFactory amqp, ResultBackend results, @Nullable Revocations revocations,
            TaskClientSettings settings) {
        this(amqp, results, revocations, settings, Metrics.globalRegistry);
    }

    /**
     * @param amqp where the broker is; the client opens its own connection
     * @param results where results are read
     * @param revocations where {@link #revoke} records revoked ids, or {@code null} if this client does not revoke
     * @param settings queue and publishing settings
     * @param meters where tasks published and publish latency ({@link MeterNames}) are recorded
     */
    public TaskClient(ConnectionFactory amqp, ResultBackend results, @Nullable Revocations revocations,
            TaskClientSettings settings, MeterRegistry meters) {
        this(amqp, results, revocations, settings, meters, TagValues.AS_IS);
    }

    /**
     * @param amqp where the broker is; the client opens its own connection
     * @param results where results are read
     * @param revocations where {@link #revoke} records revoked ids, or {@code null} if this client does not revoke
     * @param settings queue and publishing settings
     * @param meters where tasks published and publish latency ({@link MeterNames}) are recorded
     * @param tags the tag values task and queue names become on those meters
     */
    public TaskClient(ConnectionFactory amqp, ResultBackend results, @Nullable Revocations revocations,
            TaskClientSettings settings, MeterRegistry meters, TagValues tags) {
        this.revocations = revocations;
        this.publisher = new ConfirmingPublisher(amqp, settings.channels(), "bullpen-client");
        this.queues = new QueueDeclarations(publisher, settings.createMissingQueues(), settings.queues());
        this.revokeBroadcast = new RevokeBroadcast(publisher, settings.confirmTimeout());
        this.results = results;
        this.settings = settings;
        this.meters = new PublishMeters(meters, tags);
        this.workflows = new WorkflowLauncher(this, results, settings);
        this.broadcasts = new Broadcasts(this, results, new WorkerPing(publisher), settings.confirmTimeout());
    }

    /** Sends with positional arguments and default options; waits for the broker's confirm. */
    public TaskHandle send(String task, List<?> args) {
        return send(task, args, Map.of(), TaskOptions.defaults());
    }

    /**
     * Sends a task and waits for the broker's confirm.
     *
     * @throws TaskPublishException when the broker is unreachable, refuses or cannot route the task,
     *         or does not confirm within the configured timeout
     * @throws QueueMismatchException (a TaskPublishException) when the task's queue exists with other
     *         arguments than {@code bullpen.queues} gives it
     */
    public TaskHandle send(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options) {
        CompletableFuture<TaskHandle> sent = sendAsync(task, args, kwargs, options);
        try {
            return sent.get(settings.confirmTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            throw new TaskPublishException("the broker did not confirm task '" + task + "' within "
                    + settings.confirmTimeout());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new TaskPublishException("interrupted while waiting for the broker's confirm", ex);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof QueueMismatchException mismatch) {
                throw mismatch; // thrown on this thread already, and its type tells the caller retrying will not help
            }
            if (ex.getCause() instanceof UnknownWorkerException unknown) {
                throw new UnknownWorkerException(unknown.worker(), unknown.getMessage());
            }
            if (ex.getCause() instanceof TaskPublishException publish) {
                throw new TaskPublishException(publish.getMessage(), publish);
            }
            throw new TaskPublishException("could not send task '" + task + "'", ex.getCause());
        }
    }

    /**
     * Sends a task without waiting; the future completes when the broker has confirmed it, or
     * fails with {@link TaskPublishException}.
     */
    public CompletableFuture<TaskHandle> sendAsync(String task, List<?> args, Map<String, ?> kwargs,
            TaskOptions options) {
        TaskMessage message;
        String queue = queueFor(task, options);
        try {
            message = message(task, args, kwargs, options);
            if (options.worker() == null) {
                queues.ensure(queue);
            } else {
                ensureDirectExchange();
            }
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex instanceof TaskPublishException ? ex
                    : new TaskPublishException("could not send task '" + task + "': " + ex.getMessage(), ex));
        }
        return options.worker() == null ? publish(message, queue) : publishTo(options.worker(), message);
    }

    /**
     * Like Celery's {@code apply_async(exchange="C.dq2", routing_key=worker)}: mandatory, so a name no
     * direct queue is bound for comes back from the broker as an {@link UnknownWorkerException}.
     */
    private CompletableFuture<TaskHandle> publishTo(String worker, TaskMessage message) {
        String queue = BrokerTopology.directQueue(worker);
        return publish(message, BrokerTopology.DIRECT_EXCHANGE, worker, queue, () -> { })
                .exceptionallyCompose(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof UnroutableException) {
                        return CompletableFuture.failedFuture(new UnknownWorkerException(worker, "no worker named '" + worker
                                + "': nothing consumes a direct queue " + queue + " (exchange " + BrokerTopology.DIRECT_EXCHANGE
                                + ", routing key '" + worker + "'); GET /api/workers or TaskClient.liveWorkers() lists the names"));
                    }
                    directExchangeDeclared = false; // the broker may have lost it: declare it again next time
                    return CompletableFuture.failedFuture(cause);
                });
    }

    private void ensureDirectExchange() {
        if (!directExchangeDeclared) {
            publisher.withChannel(channel -> {
                BrokerTopology.declareDirectExchange(channel);
                return null;
            });
            directExchangeDeclared = true;
        }
    }

    /**
     * The node names of the workers running now, Bullpen and Python Celery alike, as
     * {@code celery inspect ping} finds them: those that answer a ping within {@link #PING_TIMEOUT}.
     * Takes the whole timeout. A worker killed a moment ago is not among them.
     */
    public List<String> liveWorkers() {
        return liveWorkers(PING_TIMEOUT);
    }

    /** The workers that answer a ping within {@code timeout}, sorted by name; takes the whole timeout. */
    public List<String> liveWorkers(Duration timeout) {
        return broadcasts.liveWorkers(timeout, null);
    }

    /**
     * The workers whose node name matches a glob ({@code *}, {@code ?}, {@code [...]}; e.g.
     * {@code "*@host-1"}) and that answer a ping within {@code timeout}, sorted; as Celery's
     * {@code inspect(pattern=..., matcher="glob").ping()}.
     */
    public List<String> liveWorkers(Duration timeout, @Nullable String pattern) {
        return broadcasts.liveWorkers(timeout, pattern);
    }

    /** Runs a task once on every live worker ({@link #liveWorkers()}); see {@link #broadcast(String, List, Map, TaskOptions, Collection)}. */
    public BroadcastHandle broadcast(String task, List<?> args) {
        return broadcast(task, args, Map.of(), TaskOptions.defaults());
    }

    /** Runs a task once on every live worker ({@link #liveWorkers()}), with options. */
    public BroadcastHandle broadcast(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options) {
        return broadcast(task, args, kwargs, options, liveWorkers());
    }

    /**
     * Sends one copy of a task to each worker's direct queue ({@link TaskOptions#worker}), each with its
     * own task id, and waits for the broker's confirms. A copy the broker does not take (e.g. for a
     * Python Celery worker started without {@code worker_direct}) is in the handle's failures; the
     * others are sent all the same.
     *
     * @param options any but queue, worker and task id, which the broadcast sets for each copy
     * @param workers the node names to run it on
     */
    public BroadcastHandle broadcast(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options,
            Collection<String> workers) {
        return broadcasts.send(task, args, kwargs, options, workers);
    }

    /** A broadcast sent earlier, by its id; empty when none was saved under it. */
    public Optional<BroadcastHandle> broadcast(String broadcastId) {
        return broadcasts.restore(broadcastId);
    }

    /**
     * The queue a task sent with these options goes to: the options' queue, else the most specific
     * of {@code bullpen.routes} that matches the task's name (see {@link TaskRoutes}), else
     * {@code bullpen.client.default-queue}.
     */
    public String queueFor(String task, TaskOptions options) {
        return settings.queueFor(task, options);
    }

    /** Sends an already built message to a queue; the future completes on the broker's confirm. */
    public CompletableFuture<TaskHandle> sendAsync(TaskMessage message, String queue) {
        try {
            queues.ensure(queue);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        return publish(message, queue);
    }

    private CompletableFuture<TaskHandle> publish(TaskMessage message, String queue) {
        // Like kombu: a direct queue is reached through the default exchange, routing key = queue.
        // Unroutable if the broker lost the queue: check it again next time.
        return publish(message, "", queue, queue, () -> queues.forget(queue));
    }

    /** Publishes with confirms, counting it under {@code queue}; {@code onFailure} runs when the broker does not take it. */
    private CompletableFuture<TaskHandle> publish(TaskMessage message, String exchange, String routingKey, String queue,
            Runnable onFailure) {
        if (settings.expectResults() && !message.headers().ignoreResult()) {
            // Listened for before it is published, so that waiting for it later costs no read.
            results.expect(message.id());
        }
        long start = System.nanoTime();
        return publisher.publish(exchange, routingKey, codec.properties(message), codec.body(message))
                .whenComplete((ok, error) -> {
                    if (error == null) {
                        meters.confirmed(message.task(), queue, start);
                    } else {
                        meters.failed(queue, start);
                        onFailure.run();
                    }
                })
                .thenApply(ok -> handle(message.id()));
    }

    /**
     * Sends a chain and waits for the broker's confirm; the handle is the last task's.
     *
     * @throws TaskPublishException when the broker does not take every message
     */
    public TaskHandle apply(Workflow.Chain chain) {
        return handle(workflows.send(chain).resultId());
    }

    /** Sends a chord (header tasks, with the body waiting in Redis); the handle is the body's. */
    public TaskHandle apply(Workflow.Chord chord) {
        return handle(workflows.send(chord).resultId());
    }

    /** Sends one task, with any links set on it. */
    public TaskHandle apply(Workflow.Step step) {
        return handle(workflows.send(step).resultId());
    }

    /** Saves the group's member ids (Celery's {@code GroupResult.save()}), then sends its members. */
    public GroupHandle apply(Workflow.Group group) {
        WorkflowLauncher.Frozen sent = workflows.send(group);
        return new GroupHandle(sent.resultId(), sent.memberIds(), results);
    }

    /**
     * Saves the map's group (one member per task), then sends its tasks: one per input, or one
     * {@code celery.starmap} per chunk. The handle gives the results in input order.
     */
    public MapHandle apply(PoolMap map) {
        WorkflowLauncher.Frozen sent = workflows.send(map);
        return new MapHandle(sent.resultId(), sent.memberIds(), map, results);
    }

    /**
     * A pool map sent earlier, by its group id and the same {@code map} it was sent as (the saved
     * group keeps only the task ids), if the group is still saved.
     *
     * @throws IllegalArgumentException when the group has another number of tasks than {@code map} sends
     */
    public java.util.Optional<MapHandle> poolMap(String groupId, PoolMap map) {
        return results.group(groupId).map(ids -> new MapHandle(groupId, ids, map, results));
    }

    /** A saved group by id (saved by this client or by Python's {@code GroupResult.save()}), if there is one. */
    public java.util.Optional<GroupHandle> group(String groupId) {
        return results.group(groupId).map(ids -> new GroupHandle(groupId, ids, results));
    }

    /** A handle on a task by id, sent by anyone. */
    public TaskHandle handle(String taskId) {
        return new TaskHandle(taskId, results);
    }

    /**
     * Revokes a task (Celery's {@code revoke(id)}): a worker that meets it before it starts stores
     * REVOKED ({@code TaskRevokedError("revoked")}) and does not run it. The revocation is kept in
     * Redis for {@code bullpen.revoke.ttl}, so Bullpen workers started later honour it too; it is
     * also broadcast as Celery's remote-control revoke, so Python Celery workers running now honour it.
     */
    public void revoke(String taskId) {
        revoke(taskId, false);
    }

    /**
     * Revokes a task; with {@code terminate}, a worker running it now also interrupts it (a Python
     * Celery worker sends {@code SIGTERM} to the process running it) and stores REVOKED
     * ({@code TaskRevokedError("terminated")}), as Celery's {@code revoke(id, terminate=True)}.
     *
     * <p>Two steps: the revocation is stored in Bullpen's durable revocations (which Bullpen workers
     * read), then broadcast on Celery's {@code celery.pidbox} exchange, as
     * {@code app.control.revoke} does, for Python Celery workers, which keep theirs in memory only:
     * one started after the broadcast, or restarted, does not know of it.
     *
     * @throws IllegalStateException when this client was made without revocations
     * @throws TaskPublishException when the revocation is stored but the broadcast did not reach the
     *         broker: Bullpen workers honour it, Python Celery workers did not hear it; revoking
     *         again is harmless
     */
    public void revoke(String taskId, boolean terminate) {
        if (revocations == null) {
            throw new IllegalStateException("this TaskClient was created without Revocations; pass RedisRevocations "
                    + "to its constructor (the auto-configured client has them)");
        }
        if (taskId.isBlank()) {
            throw new IllegalArgumentException("task id must not be blank");
        }
        revocations.revoke(taskId, terminate);
        try {
            revokeBroadcast.send(taskId, terminate);
        } catch (TaskPublishException ex) {
            throw new TaskPublishException("task " + taskId + " is revoked for Bullpen workers, but Celery's remote-control "
                    + "broadcast did not reach the broker, so Python Celery workers did not hear it: " + ex.getMessage(), ex);
        }
    }

    /** The backend this client reads results from. */
    public ResultBackend results() {
        return results;
    }

    @Override
    public void close() {
        publisher.close();
    }

    private static TaskMessage message(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options) {
        if (task.isBlank()) {
            throw new IllegalArgumentException("task name must not be blank");
        }
        String id = options.taskId() == null ? UUID.randomUUID().toString() : options.taskId();
        Instant now = Instant.now();
        Instant startAfter = options.startAfter(now);
        return TaskMessageBuilder.of(task, id)
                .args(CeleryJson.mapper().valueToTree(args) instanceof ArrayNode a ? a : CeleryJson.mapper().createArrayNode())
                .kwargs(CeleryJson.mapper().valueToTree(kwargs) instanceof ObjectNode o ? o : CeleryJson.mapper().createObjectNode())
                .eta(utc(startAfter))
                .expires(utc(options.expires()))
                .priority(options.priority() == null ? 0 : options.priority())
                .timeLimit(new TimeLimit(seconds(options.timeLimit()), seconds(options.softTimeLimit())))
                .ignoreResult(options.ignoreResult())
                .header(MeterNames.PUBLISHED_AT_HEADER, now.toEpochMilli() / 1000.0)
                .build();
    }

    private static @Nullable OffsetDateTime utc(@Nullable Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static @Nullable Double seconds(@Nullable Duration duration) {
        return duration == null ? null : duration.toNanos() / 1e9;
    }
}
