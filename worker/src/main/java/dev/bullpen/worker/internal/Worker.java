package dev.bullpen.worker.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
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
 * queues as Celery does, and consumes them. The RabbitMQ client's automatic recovery reconnects and
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
    private final TaskRunner runner;
    private final @Nullable Revocations revocations;
    private boolean watchingRevocations;
    private final InFlight inFlight = new InFlight();
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private @Nullable ExecutorService executor;
    private @Nullable Connection connection;
    private @Nullable Thread connector;
    private volatile boolean running;
    private volatile boolean consuming;

    public Worker(ConnectionFactory amqp, WorkerProperties properties, TaskRunner runner, TaskRegistry registry,
            DeadLetters deadLetters, DelayedDelivery delayed, TaskMeters meters, MeterRegistry registryOfMeters) {
        this(amqp, properties, runner, registry, deadLetters, delayed, null, meters, registryOfMeters);
    }

    /** A worker that honours revocations: revoked tasks are not run, and a terminate interrupts a running one. */
    public Worker(ConnectionFactory amqp, WorkerProperties properties, TaskRunner runner, TaskRegistry registry,
            DeadLetters deadLetters, DelayedDelivery delayed, @Nullable Revocations revocations, TaskMeters meters,
            MeterRegistry registryOfMeters) {
        this.factory = amqp.clone();
        this.factory.setAutomaticRecoveryEnabled(true);
        this.factory.setTopologyRecoveryEnabled(true);
        this.factory.setNetworkRecoveryInterval(2000);
        // The client would declare queues, exchanges and bindings again on the channels they were first
        // declared on, which are closed by then, so a broker that lost them (a new node, no volume) would
        // stay without them and the consumers' recovery would fail. The worker declares its own topology
        // again when recovery starts (see redeclareOnRecovery) and leaves the client only the consumers.
        this.factory.setTopologyRecoveryFilter(new TopologyRecoveryFilter() {
            @Override
            public boolean filterExchange(RecordedExchange exchange) {
                return false;
            }

            @Override
            public boolean filterQueue(RecordedQueue queue) {
                return false;
            }

            @Override
            public boolean filterBinding(RecordedBinding binding) {
                return false;
            }
        });
        this.properties = properties;
        this.registry = registry;
        this.runner = runner;
        this.revocations = revocations;
        List<AdmissionCheck> checks = new ArrayList<>(List.of(AdmissionCheck.EXPIRES, AdmissionCheck.ETA));
        if (revocations != null) {
            checks.addFirst(AdmissionCheck.revokedIn(revocations));
        }
        this.handler = new DeliveryHandler(new TaskMessageCodec(), runner, deadLetters, delayed, checks, meters);
        Gauge.builder(MeterNames.TASKS_IN_FLIGHT, inFlight, InFlight::count)
                .description("Task messages received and not yet acknowledged").register(registryOfMeters);
    }

    @Override
    public synchronized void start() {
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
                return;
            } catch (IOException | TimeoutException | RuntimeException ex) {
                long wait = Math.min(backOff.nextBackOff(), 10_000);
                log.warn("Cannot reach the broker ({}); retrying in {} ms", ex.toString(), wait);
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
        redeclareOnRecovery(c);
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

    /** After a reconnect, declares the queues again before the client subscribes its consumers to them. */
    private void redeclareOnRecovery(Connection c) {
        if (!(c instanceof Recoverable recoverable)) {
            return;
        }
        recoverable.addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recovered) {
            }

            @Override
            public void handleRecoveryStarted(Recoverable recovering) {
            }

            @Override
            public void handleTopologyRecoveryStarted(Recoverable recovering) {
                try {
                    try (Channel ch = c.createChannel()) {
                        DelayedDelivery.declare(ch);
                    }
                    for (String queue : properties.queues()) {
                        declare(c, queue);
                    }
                } catch (IOException | TimeoutException | RuntimeException ex) {
                    log.error("Could not declare {} again after reconnecting; consuming them may fail: {}",
                            properties.queues(), ex.toString());
                }
            }
        });
    }

    /** Declares a missing queue exactly as Celery would, so both can share it, and its dead-letter queue. */
    private static void declare(Connection c, String queue) throws IOException {
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

    /** Tasks received and not yet acknowledged. */
    public int inFlight() {
        return inFlight.count();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
