package dev.bullpen.worker.internal;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.bullpen.client.InboundGuard;
import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.QueueMismatchException;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.worker.WorkerProperties;
import dev.bullpen.worker.internal.consume.Consumers;
import dev.bullpen.worker.internal.limits.RateLimits;
import dev.bullpen.worker.internal.limits.Throttle;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskRegistry;
import dev.bullpen.worker.internal.run.TaskRunner;
import dev.bullpen.worker.internal.topology.DeadLetters;
import dev.bullpen.worker.internal.topology.DelayedDelivery;
import dev.bullpen.worker.internal.topology.DirectQueue;
import dev.bullpen.worker.internal.topology.WorkerTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The worker process: connects (retrying with backoff until the broker answers), declares its
 * queues as Celery does (with the arguments {@code bullpen.queues} gives them), and consumes them.
 * The RabbitMQ client's automatic recovery reconnects and re-subscribes after a connection loss (a
 * broker restart, a dropped network, a connection closed from the management UI); meanwhile the
 * worker reports itself not consuming.
 *
 * <p>On stop, it cancels its consumers, hands back at once the prefetched messages that have not
 * started, and lets running tasks finish for up to {@code bullpen.worker.shutdown-timeout}. What still
 * runs then is given up: interrupted, its result dropped, its message handed back. Closing the
 * connection returns whatever else is unacknowledged. Nothing is acknowledged without its result.
 */
public final class Worker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** Starts after everything the tasks may use; stops before it. */
    public static final int PHASE = Integer.MAX_VALUE - 1000;

    /** After the shutdown timeout, how long the given-up runs get to hand their messages back. */
    private static final Duration HAND_BACK_GRACE = Duration.ofSeconds(2);

    private final ConnectionFactory factory;
    private final WorkerProperties properties;
    private final TaskRegistry registry;
    private final Throttle throttle;
    private final TaskRunner runner;
    private final @Nullable Revocations revocations;
    private final WorkerTopology topology;
    private final Consumers consumers;
    private boolean watchingRevocations;
    private volatile @Nullable String problem;
    private @Nullable ExecutorService executor;
    private volatile @Nullable Connection connection;
    private @Nullable Thread connector;
    private volatile boolean running;
    private volatile boolean consuming;

    public Worker(ConnectionFactory amqp, WorkerProperties properties, TaskRunner runner, TaskRegistry registry,
            DeadLetters deadLetters, DelayedDelivery delayed, TaskMeters meters, MeterRegistry registryOfMeters) {
        this(amqp, properties, runner, registry, deadLetters, delayed, null, meters, registryOfMeters, null, Map.of());
    }

    /**
     * A worker that honours revocations (revoked tasks are not run, and a terminate interrupts a
     * running one) and rate limits, whose buckets {@code rateLimits} keeps; without it, a
     * rate-limited task stops the worker at start. Queues are declared with the arguments of their
     * {@code definitions} ({@code bullpen.queues}), as the client declares them.
     */
    public Worker(ConnectionFactory amqp, WorkerProperties properties, TaskRunner runner, TaskRegistry registry,
            DeadLetters deadLetters, DelayedDelivery delayed, @Nullable Revocations revocations, TaskMeters meters,
            MeterRegistry registryOfMeters, @Nullable RateLimits rateLimits, Map<String, QueueDefinition> definitions) {
        this.factory = amqp.clone();
        this.factory.setAutomaticRecoveryEnabled(true);
        this.factory.setTopologyRecoveryEnabled(true);
        this.factory.setNetworkRecoveryInterval(2000);
        // Bodies over the limit are dropped as they arrive, never held; see DeliveryHandler for the rest.
        InboundGuard.install(this.factory, properties.maxMessageBytes().toBytes());
        WorkerTopology.recoverConsumersOnly(this.factory);
        this.properties = properties;
        DirectQueue direct = properties.directQueue() ? new DirectQueue(properties.nodeName()) : null;
        this.topology = new WorkerTopology(properties.queues(), definitions, direct);
        this.registry = registry;
        this.runner = runner;
        this.revocations = revocations;
        // Half the prefetch at most waits for tokens, so the other half keeps other tasks coming.
        this.throttle = new Throttle(registry, properties.rateLimits(), rateLimits, properties.effectivePrefetch() / 2, meters);
        this.consumers = new Consumers(properties, runner, deadLetters, delayed, revocations, meters, throttle, direct,
                registryOfMeters);
    }

    @Override
    public synchronized void start() {
        throttle.check(); // every task is registered by now
        if (revocations != null && !watchingRevocations) {
            // Before consuming: the stored revocations are loaded by the time the first task arrives.
            revocations.watch(revocation -> {
                if (revocation.terminate()) {
                    runner.terminate(revocation.taskId());
                }
            });
            watchingRevocations = true;
        }
        running = true;
        executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bullpen-task-", 0).factory());
        consumers.warnIfPrefetchFillsHeap();
        connector = Thread.ofVirtual().name("bullpen-connect").start(this::connectUntilConsuming);
    }

    private void connectUntilConsuming() {
        BackOffExecution backOff = new ExponentialBackOff(500, 2.0).start();
        while (running) {
            try {
                consume();
                problem = null;
                return;
            } catch (IOException | TimeoutException | RuntimeException ex) {
                long wait = Math.min(backOff.nextBackOff(), 10_000);
                if (ex instanceof QueueMismatchException) {
                    // Retrying helps only once someone changes the queue or the configuration: say so loudly.
                    problem = ex.getMessage();
                    log.error("Cannot consume: {}; retrying in {} ms", ex.getMessage(), wait);
                } else {
                    problem = "cannot reach the broker: " + ex;
                    log.warn("Cannot reach the broker ({}); retrying in {} ms", ex.toString(), wait);
                }
                closeConnection();
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private synchronized void consume() throws IOException, TimeoutException {
        if (!running) {
            return;
        }
        Connection c = factory.newConnection(properties.nodeName());
        connection = c;
        watchRecovery(c);
        topology.redeclareOnRecovery(c);
        topology.declareDelayedDelivery(c);
        consumers.start(c, Objects.requireNonNull(executor, "set by start()"), topology);
        consuming = true;
        topology.declareDirectQueue(c);
        consumers.takeDirectQueueOrKeepTrying();
        log.info("Worker {} consuming {} with concurrency {} (prefetch {}); tasks: {}", properties.nodeName(),
                consumers.consumedQueues(), properties.concurrency(), properties.effectivePrefetch(), registry.names());
    }

    /** The queues consumed now: the configured ones, and the direct queue while this worker holds it. */
    public List<String> consumedQueues() {
        return consumers.consumedQueues();
    }

    /** The direct queue ({@code <node>.dq2}) while this worker consumes it; null otherwise. */
    public @Nullable String directQueue() {
        return consumers.directQueue();
    }

    /** Says when the connection is lost and when it is back: the client recovers it every 2 s meanwhile. */
    private void watchRecovery(Connection c) {
        c.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication() && running) {
                log.warn("Lost the broker connection ({}); reconnecting every {} ms, unacknowledged messages go back "
                        + "to the queue", cause.getMessage(), factory.getNetworkRecoveryInterval());
            }
        });
        if (c instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                    log.info("Reconnected to the broker; consuming {} again", properties.queues());
                }

                @Override
                public void handleRecoveryStarted(Recoverable recovering) {
                    // The shutdown listener has said it.
                }
            });
        }
    }

    @Override
    public void stop() {
        Connection c;
        synchronized (this) {
            running = false;
            consuming = false;
            c = connection;
        }
        if (connector != null) {
            connector.interrupt();
        }
        // Cancel first, then close the slots: a message handed back before its consumer is gone could
        // come straight back to this worker.
        consumers.cancel();
        if (c != null && !c.isOpen()) {
            // Lost and recovering: a recovery now would subscribe again mid-shutdown. Stay down; what
            // runs still stores its result, and the broker redelivers the messages it could not ack.
            closeConnection();
        }
        int handedBack = consumers.closeSlots();
        Duration timeout = properties.shutdownTimeout();
        log.info("Worker {} stopping: {} task(s) running may finish within {}; {} not started go back to the broker",
                properties.nodeName(), runner.running(), timeout, handedBack);
        try {
            if (!consumers.awaitSettled(timeout)) {
                int left = consumers.inFlight();
                int interrupted = runner.abandonAll();
                log.warn("{} task(s) still in flight after {}: given up ({} running interrupted), nothing more is stored "
                        + "for them and their messages go back to the broker", left, timeout, interrupted);
                consumers.awaitSettled(HAND_BACK_GRACE);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private synchronized void closeConnection() {
        Connection c = connection;
        connection = null;
        consumers.connectionClosed();
        if (c == null) {
            return;
        }
        if (c.isOpen()) {
            try {
                c.close(5000);
            } catch (IOException | RuntimeException ex) {
                log.debug("Closing the connection failed: {}", ex.toString());
            }
        } else {
            c.abort(1000); // stops its automatic recovery
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** True while the worker consumes all its queues: connected, and no consumer cancelled or closed by the broker. */
    public boolean isConsuming() {
        Connection c = connection;
        return consuming && c != null && c.isOpen() && consumers.allConsuming();
    }

    /**
     * Why the worker is not consuming, e.g. a queue declared with other arguments, or why it does not
     * consume its direct queue (another live worker has its name); null when all is well.
     */
    public @Nullable String problem() {
        String p = problem;
        return p != null ? p : consumers.directProblem();
    }

    /** Tasks received and not yet acknowledged. */
    public int inFlight() {
        return consumers.inFlight();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
