package dev.bullpen.client;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.client.internal.PublishMeters;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.result.ResultBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pitches tasks by name onto RabbitMQ in Celery's protocol v2, and hands back a {@link TaskHandle}
 * to read the result. Works with Bullpen workers and Python Celery workers alike. Remote control
 * (live workers, broadcast, revoke) is {@link #control()}.
 *
 * <p>From plain Java, without Spring (bullpen-common's Spring dependencies are optional): the AMQP
 * client's {@code ConnectionFactory} and a result backend are all it needs.
 *
 * <pre>{@code
 * ConnectionFactory amqp = new ConnectionFactory();          // com.rabbitmq.client
 * amqp.setUri("amqp://guest:guest@localhost:5672");
 * try (TaskClient client = TaskClient.builder(amqp, new InMemoryResultBackend())
 *         .settings(TaskClientSettings.defaults())           // queue "celery", 10 s confirm timeout
 *         .build()) {
 *     TaskHandle h = client.send("demo.add", List.of(2, 3));
 * }
 * }</pre>
 *
 * To read results a worker stored, use {@code RedisResultBackend}, which needs Spring Data Redis
 * and Lettuce on the class path; a Spring Boot application gets a configured client injected instead.
 *
 * <p>{@link #send} returns only once the broker has confirmed the message; {@link #sendAsync}
 * returns at once with a future, so thousands of tasks can be in flight to the broker together.
 * A message the broker refuses or cannot route is an error, never silence. Thread-safe; share one.
 */
public final class TaskClient implements AutoCloseable {

    private final ConfirmingPublisher publisher;
    private final QueueDeclarations queues;
    private final ResultBackend results;
    private final TaskClientSettings settings;
    private final TaskMessageCodec codec = new TaskMessageCodec();
    private final PublishMeters meters;
    private final WorkflowLauncher workflows;
    private final TaskControl control;
    /** Whether Celery's {@code C.dq2} exchange is known to exist: publishing to a missing one would close the channel. */
    private volatile boolean directExchangeDeclared;

    TaskClient(TaskClientBuilder builder) {
        this.settings = builder.settings();
        this.results = builder.results();
        ConfirmingPublisher shared = builder.sharing();
        this.publisher = shared != null ? shared.sibling(settings.channels())
                : new ConfirmingPublisher(builder.amqp(), settings.channels(), builder.connectionName());
        this.queues = new QueueDeclarations(publisher, settings.createMissingQueues(), settings.queues());
        this.meters = new PublishMeters(builder.meters(), builder.tags());
        this.workflows = new WorkflowLauncher(this, results, settings);
        this.control = new TaskControl(new Broadcasts(this, results, new WorkerPing(publisher), settings.confirmTimeout()),
                new RevokeBroadcast(publisher, settings.confirmTimeout()), builder.revocations());
    }

    /**
     * A client with {@link TaskClientSettings#defaults() default settings}, no revocations, meters in
     * Micrometer's global registry.
     *
     * @param amqp where the broker is; the client opens its own connection
     * @param results where results are read
     */
    public static TaskClient of(ConnectionFactory amqp, ResultBackend results) {
        return builder(amqp, results).build();
    }

    /**
     * A builder for a client; only where the broker is and where results are read are required.
     *
     * @param amqp where the broker is; the client opens its own connection
     * @param results where results are read
     */
    public static TaskClientBuilder builder(ConnectionFactory amqp, ResultBackend results) {
        return new TaskClientBuilder(amqp, results);
    }

    /** Remote control (live workers, broadcast, revoke), on this client's connection. */
    public TaskControl control() {
        return control;
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
            return sent.get(); // sendAsync fails it after the confirm timeout
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new TaskPublishException("interrupted while waiting for the broker's confirm", ex);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof QueueMismatchException mismatch) {
                throw mismatch; // thrown on this thread already, and its type tells the caller retrying will not help
            }
            if (ex.getCause() instanceof UnknownWorkerException unknown) {
                throw new UnknownWorkerException(unknown.worker(), String.valueOf(unknown.getMessage()));
            }
            if (ex.getCause() instanceof TaskPublishException publish) {
                throw new TaskPublishException(String.valueOf(publish.getMessage()), publish);
            }
            throw new TaskPublishException("could not send task '" + task + "'", ex.getCause());
        }
    }

    /**
     * Sends a task without waiting; the future completes when the broker has confirmed it, or
     * fails with {@link TaskPublishException}: at the latest after the confirm timeout
     * ({@link TaskClientSettings#confirmTimeout()}), when the task may or may not have been queued
     * (that exception's cause is then a {@link TimeoutException}).
     */
    public CompletableFuture<TaskHandle> sendAsync(String task, List<?> args, Map<String, ?> kwargs,
            TaskOptions options) {
        TaskMessage message;
        String queue = queueFor(task, options);
        try {
            message = OutgoingMessages.of(task, args, kwargs, options);
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
                                + ", routing key '" + worker + "'); GET /api/workers or TaskControl.liveWorkers() lists the names"));
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
                .thenApply(ok -> handle(message.id()))
                .orTimeout(settings.confirmTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(
                        error instanceof TimeoutException timeout ? notConfirmed(message.task(), timeout) : error));
    }

    /** Owned here, so that no caller of {@link #sendAsync} needs a timeout of its own. */
    private TaskPublishException notConfirmed(String task, TimeoutException timeout) {
        return new TaskPublishException("the broker did not confirm task '" + task + "' within " + settings.confirmTimeout()
                + "; it may or may not have been queued", timeout);
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
    public Optional<MapHandle> poolMap(String groupId, PoolMap map) {
        return results.group(groupId).map(ids -> new MapHandle(groupId, ids, map, results));
    }

    /** A saved group by id (saved by this client or by Python's {@code GroupResult.save()}), if there is one. */
    public Optional<GroupHandle> group(String groupId) {
        return results.group(groupId).map(ids -> new GroupHandle(groupId, ids, results));
    }

    /** A handle on a task by id, sent by anyone. */
    public TaskHandle handle(String taskId) {
        return new TaskHandle(taskId, results);
    }

    /** The backend this client reads results from. */
    public ResultBackend results() {
        return results;
    }

    @Override
    public void close() {
        publisher.close();
    }
}
