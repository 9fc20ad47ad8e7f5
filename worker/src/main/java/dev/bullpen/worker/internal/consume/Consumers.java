package dev.bullpen.worker.internal.consume;

import com.rabbitmq.client.Connection;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.worker.WorkerProperties;
import dev.bullpen.worker.internal.limits.Throttle;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskRunner;
import dev.bullpen.worker.internal.topology.DeadLetters;
import dev.bullpen.worker.internal.topology.DelayedDelivery;
import dev.bullpen.worker.internal.topology.DirectQueue;
import dev.bullpen.worker.internal.topology.WorkerTopology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The worker's consumers on one connection: one per queue, each on a channel of its own, sharing the
 * task slots and the count of messages in flight. A channel the broker closes alone is replaced; the
 * direct queue, when another live worker of the same name holds it, is tried again until it is free.
 * The {@link dev.bullpen.worker.internal.Worker} opens and closes the connection; this consumes on it.
 */
public final class Consumers {

    private static final Logger log = LoggerFactory.getLogger(Consumers.class);

    /** How often a worker whose name another live worker holds tries to take its direct queue. */
    private static final Duration DIRECT_RETRY = Duration.ofSeconds(5);

    private final WorkerProperties properties;
    private final DeliveryHandler handler;
    private final InFlight inFlight = new InFlight();
    private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();
    /** This worker's own queue, null with {@code bullpen.worker.direct-queue=false}. */
    private final @Nullable DirectQueue direct;
    private @Nullable ExecutorService executor;
    private @Nullable Connection connection;
    private @Nullable Slots slots;
    private volatile boolean running;
    private volatile @Nullable QueueConsumer directConsumer;
    /** Set while another live worker of the same name holds the direct queue. */
    private volatile @Nullable String directProblem;

    /**
     * Consumers whose deliveries are admitted (revoked first when {@code revocations} is given, then
     * expired, then not yet due), throttled and run by {@code runner}.
     */
    public Consumers(WorkerProperties properties, TaskRunner runner, DeadLetters deadLetters, DelayedDelivery delayed,
            @Nullable Revocations revocations, TaskMeters meters, Throttle throttle, @Nullable DirectQueue direct,
            MeterRegistry registryOfMeters) {
        this.properties = properties;
        this.direct = direct;
        List<AdmissionCheck> checks = new ArrayList<>(List.of(AdmissionCheck.EXPIRES, AdmissionCheck.ETA));
        if (revocations != null) {
            checks.addFirst(AdmissionCheck.revokedIn(revocations));
        }
        long maxBody = properties.maxMessageBytes().toBytes();
        this.handler = new DeliveryHandler(new TaskMessageCodec((int) maxBody), runner, deadLetters, delayed, checks, meters, throttle,
                maxBody, BodyBudget.forHeap(maxBody));
        Gauge.builder(MeterNames.TASKS_IN_FLIGHT, inFlight, InFlight::unsettled)
                .description("Task messages received and not yet acknowledged").register(registryOfMeters);
    }

    /** Warns when the prefetch over all queues may hold most of the heap in message bodies. */
    public void warnIfPrefetchFillsHeap() {
        long heap = Runtime.getRuntime().maxMemory();
        if (properties.prefetchedBytes() > heap / 4 * 3) {
            log.warn("bullpen.worker.prefetch {} × max-message-bytes {} over {} queue(s) may hold {} MiB of message bodies, "
                    + "most of the heap ({} MiB): lower either, or raise -Xmx", properties.effectivePrefetch(),
                    properties.maxMessageBytes(), properties.queues().size(), properties.prefetchedBytes() >> 20, heap >> 20);
        }
    }

    /**
     * Consumes every configured queue on {@code c}, each declared by {@code topology} just before, with
     * fresh slots; tasks run on {@code tasks}. Nothing is kept of a start that fails half-way: the
     * worker closes the connection, and its consumers with it.
     */
    public synchronized void start(Connection c, ExecutorService tasks, WorkerTopology topology) throws IOException {
        running = true;
        connection = c;
        executor = tasks;
        Slots gate = new Slots(properties.concurrency());
        this.slots = gate;
        List<QueueConsumer> started = new ArrayList<>();
        for (String queue : properties.queues()) {
            topology.declare(c, queue);
            started.add(startConsumer(c, queue, gate, false));
        }
        consumers.addAll(started);
    }

    /**
     * Consumes the direct queue when there is one, or keeps trying in the background while another
     * live worker of the same name holds it.
     */
    public void takeDirectQueueOrKeepTrying() throws IOException {
        if (direct != null && !takeDirectQueue()) {
            Thread.ofVirtual().name("bullpen-direct-queue").start(this::retryDirectQueue);
        }
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
        QueueConsumer consumer = new QueueConsumer(c.createChannel(), queue, handler,
                Objects.requireNonNull(executor, "set by start()"), gate, inFlight);
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

    /**
     * Stops new deliveries: every consumer cancelled, none reopened or taken any more. Messages
     * already here still run; {@link #closeSlots()} then hands back those that have not started.
     */
    public void cancel() {
        List<QueueConsumer> current;
        synchronized (this) {
            running = false;
            current = List.copyOf(consumers);
            consumers.clear();
            directConsumer = null;
        }
        current.forEach(QueueConsumer::cancel);
    }

    /** Hands back at once the prefetched messages that have not started; answers how many. */
    public int closeSlots() {
        Slots gate;
        synchronized (this) {
            gate = slots;
        }
        return gate == null ? 0 : gate.close();
    }

    /** The connection is closed or given up: nothing is reopened or taken on it any more. */
    public synchronized void connectionClosed() {
        connection = null;
        directConsumer = null;
    }

    /** True while every consumer is subscribed: none cancelled or closed by the broker. */
    public boolean allConsuming() {
        return consumers.stream().allMatch(QueueConsumer::isConsuming);
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

    /** Why the direct queue is not consumed (another live worker has this name); null otherwise. */
    public @Nullable String directProblem() {
        return directProblem;
    }

    /** Tasks received and not yet acknowledged. */
    public int inFlight() {
        return inFlight.count();
    }

    /** Waits up to {@code timeout} for every task received to be acknowledged or handed back. */
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        return inFlight.awaitEmpty(timeout);
    }
}
