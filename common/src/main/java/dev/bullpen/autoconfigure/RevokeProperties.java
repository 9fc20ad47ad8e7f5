package dev.bullpen.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bullpen.revoke.*}: how long revocations last. They live in Redis under
 * {@code bullpen.result.key-prefix}, so workers started later still honour them (Celery keeps
 * them 3 hours in each worker's memory only).
 *
 * @param ttl how long a revoked id stays revoked, 7 days by default: longer than a task usually
 *        waits in a queue or for its ETA
 * @param max how many revoked ids are kept at most, 100,000 by default (Celery's workers keep
 *        50,000): anyone who may revoke may revoke arbitrary ids, and every worker holds them all in
 *        memory. Beyond it the ids revoked longest ago are dropped, and counted in
 *        {@code bullpen.revocations.dropped}
 */
@ConfigurationProperties("bullpen.revoke")
public record RevokeProperties(@DefaultValue("7d") Duration ttl, @DefaultValue("100000") int max) {

    public RevokeProperties {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("bullpen.revoke.ttl must be positive, got " + ttl);
        }
        if (max < 1) {
            throw new IllegalArgumentException("bullpen.revoke.max must be at least 1, got " + max);
        }
    }
}
