package dev.bullpen.producer.schedule;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bullpen.scheduler.*}: how this producer fires the schedules it shares with the others.
 *
 * @param enabled fire schedules from this producer; every producer may, each tick still fires once.
 *        When off, the API still manages schedules and the config ones are still written at start.
 * @param pollInterval the longest the scheduler sleeps; it wakes sooner at a schedule's next tick
 * @param misfireThreshold a tick found due later than this after its time is a misfire: it runs
 *        once and the ticks missed since are coalesced into that run. Found sooner, it is just late,
 *        and the following ticks run too, each once.
 * @param catchUp a tick found more than this late (all producers were down, or the broker was) is
 *        skipped, logged and counted instead of run; within it, it runs once, late
 * @param tickSecret the secret tick ids are keyed with (at least 16 characters), so that no caller can
 *        predict a future tick's task id; every producer of a key prefix must have the same. Unset by
 *        default: the first producer generates one and shares it through Redis
 */
@ConfigurationProperties("bullpen.scheduler")
public record SchedulerProperties(@DefaultValue("true") boolean enabled, @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("5s") Duration misfireThreshold, @DefaultValue("1h") Duration catchUp,
        @Nullable String tickSecret) {

    public SchedulerProperties {
        if (pollInterval.toMillis() < 10) {
            throw new IllegalArgumentException("bullpen.scheduler.poll-interval must be at least 10ms, got " + pollInterval);
        }
        if (misfireThreshold.isNegative()) {
            throw new IllegalArgumentException("bullpen.scheduler.misfire-threshold must not be negative, got "
                    + misfireThreshold);
        }
        if (catchUp.isNegative()) {
            throw new IllegalArgumentException("bullpen.scheduler.catch-up must not be negative, got " + catchUp);
        }
        if (tickSecret != null && tickSecret.length() < 16) {
            // Not echoed: it is a secret, even a bad one.
            throw new IllegalArgumentException("bullpen.scheduler.tick-secret must be at least 16 characters, got "
                    + tickSecret.length());
        }
    }
}
