package dev.bullpen.worker.internal.control;

import com.rabbitmq.client.AMQP;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.client.ConfirmingPublisher;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.worker.WorkerProperties;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.internal.run.TaskRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tells the world this worker is alive, the way Celery workers do: {@code worker-online}, then a
 * {@code worker-heartbeat} every few seconds, and {@code worker-offline} on a clean stop, as JSON
 * events on the {@code celeryev} topic exchange. Celery's tools (Flower, {@code celery events}) read
 * them as they read a Python worker's; Bullpen's producer lists workers from them. Beyond Celery's
 * fields each event names the worker's queues, its direct queue, its tasks and when it started.
 */
public final class Heartbeat implements SmartLifecycle, AutoCloseable {

    static final String EXCHANGE = BrokerTopology.EVENT_EXCHANGE;
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final ConfirmingPublisher publisher;
    private final WorkerProperties properties;
    private final TaskRegistry registry;
    private final IntSupplier active;
    private final LongSupplier processed;
    private final Supplier<@Nullable String> directQueue;
    private final Instant startedAt = Instant.now();
    private final LamportClock clock;
    private final String version;
    private volatile boolean declared;
    private @Nullable ScheduledExecutorService timer;

    public Heartbeat(ConfirmingPublisher publisher, WorkerProperties properties, TaskRegistry registry, IntSupplier active,
            LongSupplier processed, LamportClock clock, Supplier<@Nullable String> directQueue) {
        this.publisher = publisher;
        this.directQueue = directQueue;
        this.clock = clock;
        this.properties = properties;
        this.registry = registry;
        this.active = active;
        this.processed = processed;
        String implementation = Heartbeat.class.getPackage().getImplementationVersion();
        this.version = implementation != null ? implementation : "dev";
    }

    /** Starts beating; a broker that is not there yet just means the first beats are lost. */
    @Override
    public synchronized void start() {
        Duration every = properties.heartbeatInterval();
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("bullpen-heartbeat").factory());
        timer.execute(() -> send("worker-online"));
        timer.scheduleAtFixedRate(() -> send("worker-heartbeat"), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops beating and says goodbye, so listeners drop this worker at once instead of after the expiry. */
    @Override
    public synchronized void stop() {
        ScheduledExecutorService current = timer;
        if (current != null) {
            timer = null;
            current.shutdownNow();
            try {
                send("worker-offline").get(2, TimeUnit.SECONDS);
            } catch (Exception ex) {
                log.debug("worker-offline not confirmed: {}", ex.toString());
            }
        }
    }

    @Override
    public void close() {
        publisher.close();
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }

    @Override
    public int getPhase() {
        // Just after the worker: online once it consumes, offline as soon as it starts to stop.
        return Worker.PHASE + 1;
    }

    ObjectNode event(String type) {
        ObjectNode e = CeleryJson.mapper().createObjectNode();
        double now = System.currentTimeMillis() / 1000.0;
        e.put("hostname", properties.nodeName());
        e.put("utcoffset", 0);
        e.put("pid", ProcessHandle.current().pid());
        e.put("clock", clock.forward());
        e.put("freq", properties.heartbeatInterval().toMillis() / 1000.0);
        e.put("active", active.getAsInt());
        e.put("processed", processed.getAsLong());
        ArrayNode load = e.putArray("loadavg");
        double avg = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        load.add(Math.max(avg, 0)).add(Math.max(avg, 0)).add(Math.max(avg, 0));
        e.put("sw_ident", "bullpen");
        e.put("sw_ver", version);
        e.put("sw_sys", System.getProperty("os.name"));
        e.put("timestamp", now);
        e.put("type", type);
        ArrayNode queues = e.putArray("queues");
        properties.queues().forEach(queues::add);
        // Not in Celery's events: the queue that reaches this worker alone, while it holds it (worker_direct).
        e.put("direct_queue", directQueue.get());
        ArrayNode tasks = e.putArray("tasks");
        registry.names().forEach(tasks::add);
        e.put("started_at", startedAt.toEpochMilli() / 1000.0);
        e.put("concurrency", properties.concurrency());
        return e;
    }

    private CompletableFuture<?> send(String type) {
        try {
            if (!declared) {
                // Declared as Celery declares it (durable topic), so either side may create it.
                publisher.withChannel(ch -> {
                    BrokerTopology.declareEventExchange(ch);
                    return null;
                });
                declared = true;
            }
            byte[] body = CeleryJson.mapper().writeValueAsBytes(event(type));
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .contentEncoding("utf-8").deliveryMode(1).headers(Map.of("hostname", properties.nodeName())).build();
            // Celery's routing key is the type with a dot: worker-heartbeat goes out as worker.heartbeat.
            return publisher.publish(EXCHANGE, type.replace('-', '.'), props, body).exceptionally(ex -> {
                // Unroutable when no one listens, which is normal.
                log.trace("Event {} not delivered: {}", type, ex.toString());
                return null;
            });
        } catch (RuntimeException ex) {
            log.debug("Event {} not sent: {}", type, ex.toString());
            return CompletableFuture.completedFuture(null);
        }
    }
}
