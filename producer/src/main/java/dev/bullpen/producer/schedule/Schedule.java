package dev.bullpen.producer.schedule;

import dev.bullpen.logging.ControlCharacters;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A periodic task: what to send, where, and when. Built only through {@link #of}, which checks it
 * the same way for {@code bullpen.schedules} and for {@code POST /api/schedules}.
 *
 * @param name unique among the schedules of one key prefix; part of every tick's task id
 * @param trigger when it ticks
 * @param task the task name to send
 * @param args positional arguments, sent as they are
 * @param kwargs keyword arguments, sent as they are
 * @param queue the queue; null sends it by {@code bullpen.routes}, else to the default queue
 * @param expires each run expires this long after it is published (Celery's {@code expires} option), or never
 * @param priority the AMQP priority, or none
 * @param source where the definition comes from
 */
record Schedule(String name, ScheduleTrigger trigger, String task, ArrayNode args, ObjectNode kwargs,
        @Nullable String queue, @Nullable Duration expires, @Nullable Integer priority, Source source) {

    /** Names go into Redis keys and URLs: kept to characters that need no escaping in either. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

    /** Where a schedule's definition lives, and so who may change it. */
    enum Source {
        /** {@code bullpen.schedules}: written on every producer start; the API may delete it but not replace it. */
        CONFIG,
        /** {@code POST /api/schedules}: kept until deleted. */
        API;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param cron a cron expression, or null for an interval schedule
     * @param zone the cron's time zone id, UTC when null; only with cron
     * @param interval the interval, or null for a cron schedule
     * @throws InvalidScheduleException naming the field at fault
     */
    static Schedule of(@Nullable String name, @Nullable String cron, @Nullable String zone, @Nullable Duration interval,
            @Nullable String task, ArrayNode args, ObjectNode kwargs, @Nullable String queue,
            @Nullable Duration expires, @Nullable Integer priority, Source source) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidScheduleException("name", "name must be 1 to 200 letters, digits or . _ : - (starting with "
                    + "a letter or digit), got " + (name == null ? "none" : "\"" + name + "\""));
        }
        boolean hasCron = cron != null && !cron.isBlank();
        if (hasCron == (interval != null)) {
            throw new InvalidScheduleException(hasCron ? "interval" : "cron",
                    "a schedule has exactly one of cron and interval, got " + (hasCron ? "both" : "neither"));
        }
        if (!hasCron && zone != null && !zone.isBlank()) {
            throw new InvalidScheduleException("zone", "zone applies to cron only; an interval is the same in every zone");
        }
        // Exactly one of the two is set, checked above.
        ScheduleTrigger trigger = hasCron ? ScheduleTrigger.cron(Objects.requireNonNull(cron), zone)
                : ScheduleTrigger.every(Objects.requireNonNull(interval));
        if (task == null || task.isBlank()) {
            throw new InvalidScheduleException("task", "task is required: the name of the task to send");
        }
        if (task.length() > 255) {
            throw new InvalidScheduleException("task", "task must be at most 255 characters, got " + task.length());
        }
        noControlCharacters("task", task);
        if (queue != null && queue.isBlank()) {
            throw new InvalidScheduleException("queue", "queue must not be blank; leave it out to use the task's route");
        }
        if (queue != null) {
            noControlCharacters("queue", queue);
        }
        if (expires != null && (expires.isNegative() || expires.isZero())) {
            throw new InvalidScheduleException("expires", "expires must be positive, got " + expires);
        }
        if (priority != null && (priority < 0 || priority > 255)) {
            throw new InvalidScheduleException("priority", "priority must be 0..255 (0..9 as in Celery), got " + priority);
        }
        return new Schedule(name, trigger, task.strip(), args, kwargs, queue, expires, priority, source);
    }

    /** Names reach log lines and AMQP headers: a line feed would forge a log line. */
    private static void noControlCharacters(String field, String value) {
        int at = ControlCharacters.indexOf(value);
        if (at >= 0) {
            throw new InvalidScheduleException(field, field + " must not contain control characters, got "
                    + String.format("U+%04X", (int) value.charAt(at)) + " at index " + at);
        }
    }
}
