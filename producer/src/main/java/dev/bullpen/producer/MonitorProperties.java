package dev.bullpen.producer;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bullpen.monitor.*}: how the producer watches workers and queues.
 *
 * @param workerExpiry a worker whose last heartbeat is older than this is no longer listed
 *        (Celery's Flower uses three missed beats; workers beat every 2 s)
 * @param queuePollInterval how often queue depths and rates are read from the broker
 * @param managementUri RabbitMQ's management API, for depths, unacked counts and rates; by default
 *        {@code http://<spring.rabbitmq.host>:15672}. Without it only the ready count and consumers are
 *        known (from a passive declare of the default queue and its dead-letter queue).
 */
@ConfigurationProperties("bullpen.monitor")
public record MonitorProperties(@DefaultValue("15s") Duration workerExpiry,
        @DefaultValue("10s") Duration queuePollInterval, @Nullable URI managementUri) {

    public MonitorProperties {
        if (workerExpiry.isNegative() || workerExpiry.isZero()) {
            throw new IllegalArgumentException("bullpen.monitor.worker-expiry must be positive, got " + workerExpiry);
        }
        if (queuePollInterval.isNegative() || queuePollInterval.isZero()) {
            throw new IllegalArgumentException("bullpen.monitor.queue-poll-interval must be positive, got " + queuePollInterval);
        }
    }
}
