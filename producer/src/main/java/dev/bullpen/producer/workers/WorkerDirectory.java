package dev.bullpen.producer.workers;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.producer.MonitorProperties;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.protocol.CeleryJson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The workers that are alive, learnt from the worker events on Celery's {@code celeryev} exchange
 * (as Flower learns them): Bullpen workers and Python Celery workers started with {@code -E} both
 * send them. A worker is listed until it says {@code worker-offline} or misses heartbeats for
 * {@code bullpen.monitor.worker-expiry}. Each producer listens on a queue of its own, so every
 * producer replica knows every worker.
 */
@Component
class WorkerDirectory implements SmartLifecycle, LiveWorkers {

    private static final Logger log = LoggerFactory.getLogger(WorkerDirectory.class);

    private final ConnectionFactory factory;
    private final Duration expiry;
    private final Clock clock;
    private final Map<String, WorkerInfo> workers = new ConcurrentHashMap<>();
    private volatile @Nullable Connection connection;
    private volatile boolean running;

    WorkerDirectory(ConnectionFactory bullpenAmqpConnectionFactory, MonitorProperties properties, MeterRegistry meters) {
        this.factory = bullpenAmqpConnectionFactory.clone();
        this.factory.setAutomaticRecoveryEnabled(true);
        this.factory.setTopologyRecoveryEnabled(true);
        this.expiry = properties.workerExpiry();
        this.clock = Clock.systemUTC();
        Gauge.builder(MeterNames.WORKERS_ALIVE, this, d -> d.alive().size())
                .description("Workers whose heartbeat arrived recently").register(meters);
    }

    /** Live workers, by name. */
    List<WorkerInfo> alive() {
        Instant oldest = clock.instant().minus(expiry);
        workers.values().removeIf(w -> w.lastHeartbeat().isBefore(oldest));
        List<WorkerInfo> live = new ArrayList<>(workers.values());
        live.sort(Comparator.comparing(WorkerInfo::hostname));
        return live;
    }

    @Override
    public boolean isAlive(String name) {
        WorkerInfo info = workers.get(name);
        return info != null && !info.lastHeartbeat().isBefore(clock.instant().minus(expiry));
    }

    @Override
    public List<String> names() {
        return alive().stream().map(WorkerInfo::hostname).toList();
    }

    @Override
    public void start() {
        running = true;
        Thread.ofVirtual().name("bullpen-worker-events").start(this::listenUntilConnected);
    }

    private void listenUntilConnected() {
        BackOffExecution backOff = new ExponentialBackOff(500, 2.0).start();
        while (running) {
            try {
                listen();
                return;
            } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException ex) {
                long wait = Math.min(backOff.nextBackOff(), 10_000);
                log.warn("Cannot listen for worker events ({}); retrying in {} ms", ex.toString(), wait);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void listen() throws IOException, java.util.concurrent.TimeoutException {
        Connection c = factory.newConnection("bullpen-producer-events");
        connection = c;
        Channel ch = c.createChannel();
        // Like Celery's event receivers: a queue of our own that goes away with us; old events expire.
        String queue = BrokerTopology.declareEventQueue(ch, "worker.#");
        ch.basicConsume(queue, true, (tag, delivery) -> onEvent(delivery), tag -> { });
        if (!running) {
            c.close();
        }
    }

    void onEvent(Delivery delivery) {
        JsonNode event;
        try {
            event = CeleryJson.mapper().readTree(delivery.getBody());
        } catch (JacksonException ex) {
            log.debug("Ignoring an unreadable worker event: {}", ex.getOriginalMessage());
            return;
        }
        String hostname = event.path("hostname").asString("");
        if (hostname.isEmpty()) {
            return;
        }
        switch (event.path("type").asString("")) {
            case "worker-offline" -> workers.remove(hostname);
            case "worker-online", "worker-heartbeat" -> workers.put(hostname, describe(hostname, event));
            default -> {
            }
        }
    }

    private WorkerInfo describe(String hostname, JsonNode e) {
        return new WorkerInfo(hostname, e.path("sw_ident").asString("unknown"), e.path("sw_ver").asString(null),
                e.path("pid").asLong(), strings(e.path("queues")), e.path("direct_queue").isString() ? e.path("direct_queue").stringValue() : null,
                strings(e.path("tasks")), e.path("active").asInt(),
                e.path("processed").asLong(), e.has("concurrency") ? e.path("concurrency").asInt() : null,
                e.has("started_at") ? seconds(e.path("started_at").asDouble()) : null,
                // Our clock, not the worker's: expiry must not depend on clock skew between hosts.
                clock.instant());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static Instant seconds(double epochSeconds) {
        return Instant.ofEpochMilli(Math.round(epochSeconds * 1000));
    }

    @Override
    public void stop() {
        running = false;
        Connection c = connection;
        if (c != null && c.isOpen()) {
            try {
                c.close(2000);
            } catch (IOException | RuntimeException ex) {
                log.debug("Closing the events connection failed: {}", ex.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
