package dev.bullpen.producer.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/**
 * When a schedule ticks: a cron expression in a time zone, or a fixed interval. A tick is an instant
 * on the trigger's grid, the same for every producer, so that the producers agree on which tick is
 * due and a tick can name its task id.
 */
sealed interface ScheduleTrigger {

    /** The default zone, as Celery's {@code timezone} setting. */
    ZoneId UTC = ZoneId.of("UTC");

    /** The first tick strictly after {@code instant}, or null when there is none (a cron that never matches again). */
    @Nullable Instant nextAfter(Instant instant);

    /** A canonical text of the trigger: a schedule keeps its next tick across a restart only while this stays the same. */
    String spec();

    /**
     * A cron expression with Spring's six fields (second first), or Celery's and Unix's five (minute
     * first, read with second 0), in a time zone.
     *
     * @throws InvalidScheduleException naming {@code cron} or {@code zone}
     */
    static Cron cron(String expression, @Nullable String zone) {
        String trimmed = expression.strip();
        String sixFields = trimmed.split("\\s+").length == 5 ? "0 " + trimmed : trimmed;
        CronExpression parsed;
        try {
            parsed = CronExpression.parse(sixFields);
        } catch (IllegalArgumentException ex) {
            throw new InvalidScheduleException("cron", "cron must be 5 fields (minute hour day-of-month month "
                    + "day-of-week) or 6 (second first), got \"" + expression + "\": " + ex.getMessage());
        }
        ZoneId zoneId;
        try {
            zoneId = zone == null || zone.isBlank() ? UTC : ZoneId.of(zone.strip());
        } catch (DateTimeException ex) {
            throw new InvalidScheduleException("zone", "zone must be a time zone id such as Europe/Berlin or UTC, got \""
                    + zone + "\"");
        }
        // A cron no date matches (0 0 30 2 *: February the 30th) parses, but would sit in Redis and never fire.
        if (parsed.next(ZonedDateTime.now(zoneId)) == null) {
            throw new InvalidScheduleException("cron", "cron \"" + expression + "\" never fires: no date matches it");
        }
        return new Cron(trimmed, parsed, zoneId);
    }

    /**
     * A fixed interval of at least a second, in whole milliseconds.
     *
     * @throws InvalidScheduleException naming {@code interval}
     */
    static Interval every(Duration interval) {
        if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.toNanos() % 1_000_000 != 0) {
            throw new InvalidScheduleException("interval", "interval must be at least 1 s, in whole milliseconds, got "
                    + interval);
        }
        return new Interval(interval);
    }

    /** Cron ticks, computed in {@code zone} so that "9 every morning" stays 9 across daylight saving changes. */
    record Cron(String expression, CronExpression parsed, ZoneId zone) implements ScheduleTrigger {

        @Override
        public @Nullable Instant nextAfter(Instant instant) {
            ZonedDateTime next = parsed.next(instant.atZone(zone));
            return next == null ? null : next.toInstant();
        }

        @Override
        public String spec() {
            return "cron " + parsed + " " + zone.normalized().getId();
        }
    }

    /**
     * Interval ticks on the grid of multiples of the interval since the Unix epoch: every producer
     * computes the same ticks with no shared starting point, and a restart does not shift them.
     */
    record Interval(Duration every) implements ScheduleTrigger {

        @Override
        public Instant nextAfter(Instant instant) {
            long step = every.toMillis();
            return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), step) * step + step);
        }

        @Override
        public String spec() {
            return "interval " + every.toMillis() + "ms";
        }
    }
}
