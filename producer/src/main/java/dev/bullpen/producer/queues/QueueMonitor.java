package dev.bullpen.producer.queues;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.producer.MonitorProperties;
import dev.bullpen.protocol.CeleryJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Reads queue depths, consumers and rates from the broker every {@code bullpen.monitor.queue-poll-interval}
 * and publishes them as gauges ({@link MeterNames#QUEUE_MESSAGES_READY} and friends, tagged by queue).
 * The source is RabbitMQ's management API, which knows unacked counts and rates; when it cannot be
 * reached, a passive declare of the default queue and its dead-letter queue still gives the ready
 * count and consumers. Bullpen's delay levels, exclusive and auto-delete queues (event and reply
 * queues) are left out.
 */
@Component
class QueueMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(QueueMonitor.class);

    private final ConnectionFactory amqp;
    private final URI api;
    private final String authorization;
    private final Duration interval;
    private final List<String> fallbackQueues;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final MultiGauge ready;
    private final MultiGauge unacked;
    private final MultiGauge consumers;
    private volatile List<QueueInfo> latest = List.of();
    private @Nullable ScheduledExecutorService timer;

    QueueMonitor(ConnectionFactory bullpenAmqpConnectionFactory, MonitorProperties properties, ClientProperties client,
            MeterRegistry meters) {
        this.amqp = bullpenAmqpConnectionFactory.clone();
        this.amqp.setAutomaticRecoveryEnabled(false);
        this.amqp.setConnectionTimeout(3000);
        URI base = properties.managementUri() != null ? properties.managementUri()
                : URI.create("http://" + amqp.getHost() + ":15672/");
        String vhost = URLEncoder.encode(amqp.getVirtualHost(), StandardCharsets.UTF_8);
        this.api = base.resolve("/api/queues/" + vhost + "?columns=name,messages_ready,messages_unacknowledged,"
                + "consumers,auto_delete,exclusive,message_stats");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (amqp.getUsername() + ":" + amqp.getPassword()).getBytes(StandardCharsets.UTF_8));
        this.interval = properties.queuePollInterval();
        this.fallbackQueues = List.of(client.defaultQueue(), client.defaultQueue() + ".dlq");
        this.ready = MultiGauge.builder(MeterNames.QUEUE_MESSAGES_READY).description("Messages ready in the queue").register(meters);
        this.unacked = MultiGauge.builder(MeterNames.QUEUE_MESSAGES_UNACKED).description("Messages delivered, not yet acknowledged").register(meters);
        this.consumers = MultiGauge.builder(MeterNames.QUEUE_CONSUMERS).description("Consumers of the queue").register(meters);
    }

    /** The queues as last polled, by name. */
    List<QueueInfo> queues() {
        return latest;
    }

    /** Polls now; also what the timer runs. */
    void poll() {
        List<QueueInfo> queues;
        try {
            queues = fromManagementApi();
        } catch (IOException | RuntimeException ex) {
            log.debug("Management API unavailable ({}); reading the default queues by passive declare", ex.toString());
            queues = fromPassiveDeclare();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
        }
        queues.sort(Comparator.comparing(QueueInfo::name));
        latest = List.copyOf(queues);
        ready.register(rows(queues, QueueInfo::ready), true);
        unacked.register(rows(queues.stream().filter(q -> q.unacked() != null).toList(), q -> q.unacked()), true);
        consumers.register(rows(queues, QueueInfo::consumers), true);
    }

    private static List<MultiGauge.Row<?>> rows(List<QueueInfo> queues, ToLongFunction<QueueInfo> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (QueueInfo q : queues) {
            rows.add(MultiGauge.Row.of(Tags.of(MeterNames.TAG_QUEUE, q.name()), value.applyAsLong(q)));
        }
        return rows;
    }

    private List<QueueInfo> fromManagementApi() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(api).header("Authorization", authorization)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("management API answered " + response.statusCode() + " for " + api);
        }
        List<QueueInfo> queues = new ArrayList<>();
        for (JsonNode q : CeleryJson.mapper().readTree(response.body())) {
            String name = q.path("name").asString();
            if (name.startsWith("amq.") || name.startsWith("bullpen.delay.") || q.path("exclusive").asBoolean()
                    || q.path("auto_delete").asBoolean()) {
                continue;
            }
            JsonNode stats = q.path("message_stats");
            Function<String, @Nullable Double> rate = field -> stats.path(field).has("rate")
                    ? stats.path(field).path("rate").asDouble() : null;
            queues.add(new QueueInfo(name, q.path("messages_ready").asLong(), q.path("messages_unacknowledged").asLong(),
                    q.path("consumers").asLong(), rate.apply("publish_details"), rate.apply("deliver_get_details"),
                    rate.apply("ack_details")));
        }
        return queues;
    }

    private List<QueueInfo> fromPassiveDeclare() {
        List<QueueInfo> queues = new ArrayList<>();
        try (Connection c = amqp.newConnection("bullpen-producer-queue-monitor")) {
            for (String name : fallbackQueues) {
                try (Channel ch = c.createChannel()) {
                    AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive(name);
                    queues.add(new QueueInfo(name, ok.getMessageCount(), null, ok.getConsumerCount(), null, null, null));
                } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException missing) {
                    // Not declared yet: nothing to report.
                }
            }
        } catch (IOException | java.util.concurrent.TimeoutException ex) {
            log.debug("Cannot read queue depths: the broker is unreachable ({})", ex.toString());
        }
        return queues;
    }

    @Override
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("bullpen-queue-monitor").factory());
        timer.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
