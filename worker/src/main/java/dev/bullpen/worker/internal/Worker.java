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
import dev.bullpen.client.InboundGuard;
import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.QueueMismatchException;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.worker.WorkerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    static final int PHASE = Integer.MAX_VALUE - 1000;

    /** After the shutdown timeout, how long the given-up runs get to hand their messages back. */
    private static final Duration HAND_BACK_GRACE = Duration.ofSeconds(2);

    /** How often a worker whose name another live worker holds tries to take its direct queue. */
    private static final Duration DIRECT_RETRY = Duration.ofSeconds(5);

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
    private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();
    private @Nullable ExecutorService executor;
    private volatile @Nullable Connection connection;
    private @Nullable Slots slots;
    private @Nullable Thread connector;
    private volatile boolean running;
    private volatile boolean consuming;
    /** This worker's own queue, null with {@code bullpen.worker.direct-queue=false}. */
    private final @Nullable DirectQueue direct;
    private volatile @Nullable QueueConsumer directConsumer;
    /** Set while another live worker of the same name holds the direct queue. */
    private volatile @Nullable String directProblem;

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
        // Bodies over the limit are dropped as they arrive, never held; see DeliveryHandler for the rest.
        InboundGuard.install(this.factory, properties.maxMessageBytes().toBytes());
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
        this.direct = properties.directQueue() ? new DirectQueue(properties.nodeName()) : null;
        this.registry = registry;
        this.runner = runner;
        this.revocations = revocations;
        List<AdmissionCheck> checks = new ArrayList<>(List.of(AdmissionCheck.EXPIRES, AdmissionCheck.ETA));
        if (revocations != null) {
            checks.addFirst(AdmissionCheck.revokedIn(revocations));
        }
        // Half the prefetch at most waits for tokens, so the other half keeps other tasks coming.
        this.throttle = new Throttle(registry, properties.rateLimits(), rateLimits, properties.effectivePrefetch() / 2, meters);
        long maxBody = properties.maxMessageBytes().toBytes();
        this.handler = new DeliveryHandler(new TaskMessageCodec((int) maxBody), runner, deadLetters, delayed, checks, meters, throttle,
                maxBody, BodyBudget.forHeap(maxBody));
        Gauge.builder(MeterNames.TASKS_IN_FLIGHT, inFlight, InFlight::unsettled)
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
        long heap = Runtime.getRuntime().maxMemory();
        if (properties.prefetchedBytes() > heap / 4 * 3) {
            log.warn("bullpen.worker.prefetch {} × max-message-bytes {} over {} queue(s) may hold {} MiB of message bodies, "
                    + "most of the heap ({} MiB): lower either, or raise -Xmx", properties.effectivePrefetch(),
                    properties.maxMessageBytes(), properties.queues().size(), properties.prefetchedBytes() >> 20, heap >> 20);
        }
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
        redeclareOnRecovery(c);
        Slots slots = new Slots(properties.concurrency());
        this.slots = slots;
        List<QueueConsumer> started = new ArrayList<>();
        try (Channel ch = c.createChannel()) {
            DelayedDelivery.declare(ch);
        } catch (TimeoutException ex) {
            throw new IOException(ex);
        }
        for (String queue : properties.queues()) {
            declare(c, queue);
            started.add(startConsumer(c, queue, slots, false));
        }
        consumers.addAll(started);
        consuming = true;
        if (direct != null) {
            direct.declare(c);
            if (!takeDirectQueue()) {
                Thread.ofVirtual().name("bullpen-direct-queue").start(this::retryDirectQueue);
            }
        }
        log.info("Worker {} consuming {} with concurrency {} (prefetch {}); tasks: {}", properties.nodeName(),
                directConsumer == null ? properties.queues() : consumedQueues(), properties.concurrency(),
                properties.effectivePrefetch(), registry.names());
    }

    /**
     * Subscribes to the direct queue as its only consumer. False while another live worker of the
     * same name holds it.
     */
    private synchronized boolean takeDirectQueue() throws IOException {
        Connection c = connection;
        DirectQueue queue = direct;
        if (queue == null || directConsumer != null || !running || c == null || !c.isOpen() || slots == null) {
            return true;
        }
        QueueConsumer consumer;
        try {
            consumer = startConsumer(c, queue.name(), slots, true);
        } catch (IOException ex) {
            if (!DirectQueue.inUse(ex)) {
                throw ex;
            }
            if (directProblem == null) {
                log.error("Worker {}: {}. Still consuming {}; retrying every {} s", properties.nodeName(),
                        queue.takenMessage(), properties.queues(), DIRECT_RETRY.toSeconds());
            }
            directProblem = queue.takenMessage();
            return false;
        }
        consumers.add(consumer);
        directConsumer = consumer;
        if (directProblem != null) {
            log.info("Worker {} took over its direct queue {}", properties.nodeName(), queue.name());
        }
        directProblem = null;
        return true;
    }

    /**
     * Subscribes a consumer of {@code queue} on a channel of its own, the queue's only one when
     * {@code exclusive}, and watches that channel: if the broker closes it alone, a new one replaces it.
     */
    private QueueConsumer startConsumer(Connection c, String queue, Slots gate, boolean exclusive) throws IOException {
        QueueConsumer consumer = new QueueConsumer(c.createChannel(), queue, handler, executor, gate, inFlight);
        if (exclusive) {
            consumer.startExclusive(properties.effectivePrefetch());
        } else {
            consumer.start(properties.effectivePrefetch());
        }
        reopenWhenClosed(consumer, exclusive);
        return consumer;
    }

    /**
     * The broker may close one consumer's channel and keep the connection: {@code consumer_timeout}
     * when a task runs longer than it (30 minutes by default), or any other channel error. The
     * client's recovery only reopens what a lost connection took, so without this the queue would
     * stay unconsumed and the worker DOWN for good; the closed channel's unacknowledged messages go
     * back to the queue, and a new channel takes over after a pause.
     */
    private void reopenWhenClosed(QueueConsumer consumer, boolean exclusive) {
        consumer.getChannel().addShutdownListener(cause -> {
            if (cause.isHardError() || cause.isInitiatedByApplication() || !running) {
                return; // the connection's own recovery, or the worker stopping
            }
            String reason = cause.getMessage();
            log.error("The broker closed the channel consuming {} ({}){}; its unacknowledged messages go back to the "
                    + "queue, and a new channel consumes it", consumer.queue(), reason, reason != null
                    && reason.contains("acknowledgement") ? ": a task ran longer than the broker's consumer_timeout; raise "
                    + "consumer_timeout in rabbitmq.conf, or give the task a time limit below it" : "");
            Thread.ofVirtual().name("bullpen-reopen").start(() -> reopen(consumer, exclusive));
        });
    }

    private void reopen(QueueConsumer closed, boolean exclusive) {
        BackOffExecution backOff = new ExponentialBackOff(1000, 2.0).start();
        while (running) {
            try {
                Thread.sleep(Math.min(backOff.nextBackOff(), 30_000));
            } catch (InterruptedException ex) {
                return;
            }
            synchronized (this) {
                Connection c = connection;
                Slots gate = slots;
                int at = consumers.indexOf(closed);
                if (!running || c == null || !c.isOpen() || gate == null || at < 0) {
                    return; // stopping, or the connection is down and its recovery will do
                }
                try {
                    QueueConsumer fresh = startConsumer(c, closed.queue(), gate, exclusive);
                    consumers.set(at, fresh);
                    if (directConsumer == closed) {
                        directConsumer = fresh;
                    }
                    log.info("Consuming {} again on a new channel", closed.queue());
                    return;
                } catch (IOException | RuntimeException ex) {
                    log.warn("Could not consume {} on a new channel yet: {}", closed.queue(), ex.toString());
                }
            }
        }
    }

    private void retryDirectQueue() {
        while (running) {
            try {
                Thread.sleep(DIRECT_RETRY);
                if (takeDirectQueue()) {
                    return;
                }
            } catch (InterruptedException ex) {
                return;
            } catch (IOException | RuntimeException ex) {
                log.debug("Could not take the direct queue yet: {}", ex.toString());
            }
        }
    }

    /** The queues consumed now: the configured ones, and the direct queue while this worker holds it. */
    public List<String> consumedQueues() {
        List<String> queues = new ArrayList<>(properties.queues());
        String own = directQueue();
        if (own != null) {
            queues.add(own);
        }
        return queues;
    }

    /** The direct queue ({@code <node>.dq2}) while this worker consumes it; null otherwise. */
    public @Nullable String directQueue() {
        DirectQueue queue = direct;
        QueueConsumer consumer = directConsumer;
        return queue != null && consumer != null && consumer.isConsuming() ? queue.name() : null;
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
                    if (direct != null) {
                        direct.declare(c);
                    }
                } catch (IOException | TimeoutException | RuntimeException ex) {
                    log.error("Could not declare {} again after reconnecting; consuming them may fail: {}",
                            properties.queues(), ex.toString());
                }
            }
        });
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
                BrokerTopology.declareQueue(ch, queue, definition);
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
                BrokerTopology.declareQueueLikeCelery(ch, queue);
            }
            DeadLetters.declare(ch, queue);
        } catch (TimeoutException ex) {
            throw new IOException(ex);
        }
    }

    @Override
    public void stop() {
        List<QueueConsumer> current;
        Slots gate;
        Connection c;
        synchronized (this) {
            running = false;
            consuming = false;
            current = List.copyOf(consumers);
            consumers.clear();
            directConsumer = null;
            gate = slots;
            c = connection;
        }
        if (connector != null) {
            connector.interrupt();
        }
        // Cancel first, then close the slots: a message handed back before its consumer is gone could
        // come straight back to this worker.
        current.forEach(QueueConsumer::cancel);
        if (c != null && !c.isOpen()) {
            // Lost and recovering: a recovery now would subscribe again mid-shutdown. Stay down; what
            // runs still stores its result, and the broker redelivers the messages it could not ack.
            closeConnection();
        }
        int handedBack = gate == null ? 0 : gate.close();
        Duration timeout = properties.shutdownTimeout();
        log.info("Worker {} stopping: {} task(s) running may finish within {}; {} not started go back to the broker",
                properties.nodeName(), runner.running(), timeout, handedBack);
        try {
            if (!inFlight.awaitEmpty(timeout)) {
                int left = inFlight.count();
                int interrupted = runner.abandonAll();
                log.warn("{} task(s) still in flight after {}: given up ({} running interrupted), nothing more is stored "
                        + "for them and their messages go back to the broker", left, timeout, interrupted);
                inFlight.awaitEmpty(HAND_BACK_GRACE);
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
        directConsumer = null;
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
        return consuming && c != null && c.isOpen()
                && consumers.stream().allMatch(QueueConsumer::isConsuming);
    }

    /**
     * Why the worker is not consuming, e.g. a queue declared with other arguments, or why it does not
     * consume its direct queue (another live worker has its name); null when all is well.
     */
    public @Nullable String problem() {
        String p = problem;
        return p != null ? p : directProblem;
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
