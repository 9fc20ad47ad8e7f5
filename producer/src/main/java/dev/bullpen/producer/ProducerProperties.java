package dev.bullpen.producer;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code bullpen.producer.*}: limits of the HTTP API.
 *
 * @param maxPayload the largest request body accepted; larger ones get 413 and are never published
 * @param maxWait the longest a {@code GET /api/tasks/{id}?wait=} long-poll is held; longer waits are
 *        cut to this
 * @param idempotencyTtl how long a submission's {@code Idempotency-Key} is remembered after its task was
 *        published: a repeat within it answers the same task id and publishes nothing
 * @param queuePatterns globs ({@code *} for one or more characters) of the queues a request may name
 *        beyond the configured ones ({@code bullpen.client.default-queue}, the queues of
 *        {@code bullpen.routes} and the names in {@code bullpen.queues}); none by default, so that a
 *        caller cannot make the broker declare durable queues at will. Reserved names ({@code amq.*},
 *        {@code *.dlq}, {@code bullpen.delay.*}, {@code *.dq2}, {@code *.pidbox}, {@code celeryev*})
 *        are refused even when a pattern matches them.
 */
@ConfigurationProperties("bullpen.producer")
public record ProducerProperties(@DefaultValue("1MB") DataSize maxPayload, @DefaultValue("60s") Duration maxWait,
        @DefaultValue("24h") Duration idempotencyTtl, @DefaultValue({}) List<String> queuePatterns) {

    /** Bodies are buffered in one array, so they must fit in one. */
    private static final long LARGEST_PAYLOAD = Integer.MAX_VALUE - 8;

    public ProducerProperties {
        if (maxPayload.toBytes() <= 0 || maxPayload.toBytes() > LARGEST_PAYLOAD) {
            throw new IllegalArgumentException("bullpen.producer.max-payload must be between 1B and "
                    + LARGEST_PAYLOAD + "B, got " + maxPayload);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("bullpen.producer.max-wait must not be negative, got " + maxWait);
        }
        // Redis keeps keys to the millisecond: anything shorter would be no expiry, or none at all.
        if (idempotencyTtl.toMillis() < 1) {
            throw new IllegalArgumentException("bullpen.producer.idempotency-ttl must be at least 1ms, got "
                    + idempotencyTtl);
        }
        queuePatterns = List.copyOf(queuePatterns);
        for (String pattern : queuePatterns) {
            if (pattern.isBlank() || pattern.length() > 255) {
                throw new IllegalArgumentException("bullpen.producer.queue-patterns: each must be 1 to 255 characters, got \""
                        + pattern + "\"");
            }
        }
    }
}
