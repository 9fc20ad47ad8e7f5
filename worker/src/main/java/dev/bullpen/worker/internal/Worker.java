package dev.bullpen.worker.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.QueueMismatchException;
import dev.bullpen.client.internal.QueueDeclarations;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.worker.WorkerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The worker process: connects (retrying with backoff until the broker answers), declares its
 * queues as Celery does (with the arguments {@code bullpen.queues} gives them), and consumes them. The RabbitMQ client's automatic recovery reconnects and
 * re-subscribes after a connection loss. On stop, it cancels its consumers, lets running tasks finish
 * for up to {@code bullpen.worker.shutdown-timeout}, then closes the connection, which hands every
 * unacknowledged message back to the broker.
 */
public final class Worker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** Starts after everything the tasks may use; stops before it. */
    static final int PHASE = Integer.MAX_VALUE - 1000;

    private final ConnectionFactory factory;
    private final WorkerProperties properties;
    private final TaskRegistry registry;
    private final DeliveryHandler handler;
    private final Throttle throttle;
    private final TaskRunner runner;
    private final @Nullable Revocations revocations;
    private final Map<String, QueueDefinition> definitions;
    private boolean watchingRevocations;
    private volatile @Nullable String problem;
    private final InFlight inFlight = new InFlight();
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private @Nullable ExecutorService executor;
    private @Nullable Connection connection;
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
        this.definitions = Map.copyOf(definitions);
        this.factory = amqp.clone();
        this.factory.setAutomaticRecoveryEnabled(true);
        this.factory.setTopologyRecoveryEnabled(true);
        this.factory.setNetworkRecoveryInterval(2000);
        this.properties = properties;
        this.registry = registry;
        this.runner = runner;
        this.revocations = revocations;
        List<AdmissionCheck> checks = new ArrayList<>(List.of(AdmissionCheck.EXPIRES, AdmissionCheck.ETA));
        if (revocations != null) {
            checks.addFirst(AdmissionCheck.revokedIn(revocations));
        }
        // Half the prefetch at most waits for tokens, so the other half keeps other tasks coming.
        this.throttle = new Throttle(registry, properties.rateLimits(), rateLimits, properties.effectivePrefetch() / 2, meters);
        this.handler = new DeliveryHandler(new TaskMessageCodec(), runner, deadLetters, delayed, checks, meters, throttle);
        Gauge.builder(MeterNames.TASKS_IN_FLIGHT, inFlight, InFlight::count)
                .description("Task messages received and not yet acknowledged").register(registryOfMeters);
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
        Semaphore slots = new Semaphore(properties.concurrency(), true);
        List<QueueConsumer> started = new ArrayList<>();
        try (Channel ch = c.createChannel()) {
            DelayedDelivery.declare(ch);
        } catch (TimeoutException ex) {
            throw new IOException(ex);
        }
        for (String queue : properties.queues()) {
            declare(c, queue);
            QueueConsumer consumer = new QueueConsumer(c.createChannel(), queue, handler, executor, slots, inFlight);
            consumer.start(properties.effectivePrefetch());
            started.add(consumer);
        }
        consumers.addAll(started);
        consuming = true;
        log.info("Worker {} consuming {} with concurrency {} (prefetch {}); tasks: {}", properties.nodeName(),
                properties.queues(), properties.concurrency(), properties.effectivePrefetch(), registry.names());
    }

    /**
     * Declares a missing queue exactly as Celery would, so both can share it, and its dead-letter
     * queue. A queue with a definition is always declared, which checks its arguments: one declared
     * otherwise is a {@link QueueMismatchException}.
     */
    private void declare(Connection c, String queue) throws IOException {
        QueueDefinition definition = definitions.get(queue);
        if (definition != null) {
            try (Channel ch = c.createChannel()) {
                QueueDeclarations.declare(ch, queue, definition);
                DeadLetters.declare(ch, queue);
            } catch (TimeoutException ex) {
                throw new IOException(ex);
            }
            return;
        }
        boolean exists;
        try (Channel probe = c.createChannel()) {
            probe.queueDeclarePassive(queue);
            exists = true;
        } catch (IOException ex) {
            exists = false; // 404 closed the probe channel
        } catch (TimeoutException ex) {
            exists = true;
        }
        try (Channel ch = c.createChannel()) {
            if (!exists) {
                QueueDeclarations.declareLikeCelery(ch, queue);
            }
            DeadLetters.declare(ch, queue);
        } catch (TimeoutException ex) {
            throw new IOException(ex);
        }
    }

    @Override
    public void stop() {
        List<QueueConsumer> current;
        synchronized (this) {
            running = false;
            consuming = false;
            current = List.copyOf(consumers);
            consumers.clear();
        }
        if (connector != null) {
            connector.interrupt();
        }
        current.forEach(QueueConsumer::cancel);
        try {
            if (!inFlight.awaitEmpty(properties.shutdownTimeout())) {
                log.warn("{} task(s) still running after {}; their messages go back to the broker",
                        inFlight.count(), properties.shutdownTimeout());
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
        if (c != null && c.isOpen()) {
            try {
                c.close(5000);
            } catch (IOException | RuntimeException ex) {
                log.debug("Closing the connection failed: {}", ex.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** True once the worker consumes all its queues. */
    public boolean isConsuming() {
        return consuming && connection != null && connection.isOpen();
    }

    /** Why the worker is not consuming, e.g. a queue declared with other arguments; null while it consumes. */
    public @Nullable String problem() {
        return problem;
    }

    /** Tasks received and not yet acknowledged. */
    public int inFlight() {
        return inFlight.count();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
