package dev.bullpen.producer.schedule;

import dev.bullpen.producer.schedule.Schedule.Source;
import dev.bullpen.producer.schedule.ScheduleTrigger.Cron;
import dev.bullpen.producer.schedule.ScheduleTrigger.Interval;
import dev.bullpen.protocol.CeleryJson;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A schedule as JSON, the same shape in a {@code POST /api/schedules} body and in Redis: {@code name},
 * {@code task}, {@code args}, {@code kwargs}, {@code queue}, {@code cron} with {@code zone} or
 * {@code interval} (seconds, or an ISO-8601 duration such as {@code "PT30S"}), {@code expires}
 * (seconds), {@code priority}; Redis adds {@code source}.
 */
final class ScheduleJson {

    private static final Set<String> FIELDS = Set.of("name", "task", "args", "kwargs", "queue", "cron", "zone",
            "interval", "expires", "priority");

    private ScheduleJson() {
    }

    /** A request's schedule, refusing unknown fields so that a misspelt one is not silently ignored. */
    static Schedule fromRequest(JsonNode root) {
        if (!root.isObject()) {
            throw new InvalidScheduleException("body", "the body must be a JSON object");
        }
        for (String field : root.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw new InvalidScheduleException(field, "unknown field \"" + field + "\"; a schedule has " + FIELDS);
            }
        }
        return read(root, Source.API);
    }

    /** A schedule written by {@link #write}. */
    static Schedule fromStored(String json) {
        JsonNode root = CeleryJson.mapper().readTree(json);
        return read(root, "config".equals(text(root, "source")) ? Source.CONFIG : Source.API);
    }

    static String write(Schedule schedule) {
        ObjectNode node = describe(schedule);
        node.put("source", schedule.source().wire());
        return CeleryJson.mapper().writeValueAsString(node);
    }

    /** The schedule's definition in the request's shape, without its runs. */
    static ObjectNode describe(Schedule schedule) {
        ObjectNode node = CeleryJson.mapper().createObjectNode();
        node.put("name", schedule.name());
        node.put("task", schedule.task());
        node.set("args", schedule.args());
        node.set("kwargs", schedule.kwargs());
        node.put("queue", schedule.queue());
        switch (schedule.trigger()) {
            case Cron cron -> {
                node.put("cron", cron.expression());
                node.put("zone", cron.zone().getId());
            }
            case Interval interval -> node.put("interval", seconds(interval.every()));
        }
        if (schedule.expires() != null) {
            node.put("expires", seconds(schedule.expires()));
        }
        if (schedule.priority() != null) {
            node.put("priority", schedule.priority());
        }
        return node;
    }

    /** A JSON array or object given as text, as {@code bullpen.schedules.<name>.args} and {@code kwargs} are. */
    static JsonNode parseConfigured(String field, @Nullable String json) {
        if (json == null || json.isBlank()) {
            return CeleryJson.mapper().nullNode();
        }
        try {
            return CeleryJson.mapper().readTree(json);
        } catch (JacksonException ex) {
            throw new InvalidScheduleException(field, field + " must be JSON text, e.g. " + ("args".equals(field)
                    ? "'[2, 3]'" : "'{\"x\": 1}'") + ", got " + json + ": " + ex.getOriginalMessage());
        }
    }

    static ArrayNode args(@Nullable JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return CeleryJson.mapper().createArrayNode();
        }
        if (node instanceof ArrayNode array) {
            return array;
        }
        throw new InvalidScheduleException("args", "args must be a JSON array, got " + node.getNodeType());
    }

    static ObjectNode kwargs(@Nullable JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return CeleryJson.mapper().createObjectNode();
        }
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new InvalidScheduleException("kwargs", "kwargs must be a JSON object, got " + node.getNodeType());
    }

    private static Schedule read(JsonNode root, Source source) {
        JsonNode priority = root.get("priority");
        if (priority != null && !priority.isNull() && (!priority.isIntegralNumber() || !priority.canConvertToInt())) {
            throw new InvalidScheduleException("priority", "priority must be an integer, got " + priority);
        }
        return Schedule.of(text(root, "name"), text(root, "cron"), text(root, "zone"), duration(root, "interval"),
                text(root, "task"), args(root.get("args")), kwargs(root.get("kwargs")), text(root, "queue"),
                duration(root, "expires"), priority == null || priority.isNull() ? null : priority.intValue(), source);
    }

    private static @Nullable String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw new InvalidScheduleException(field, field + " must be a string, got " + node.getNodeType());
        }
        return node.stringValue();
    }

    /** Seconds as a JSON number, as Celery gives intervals and expiries, or an ISO-8601 duration. */
    private static @Nullable Duration duration(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            BigDecimal seconds = node.decimalValue();
            if (seconds.signum() <= 0 || seconds.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1000_000_000L)) > 0) {
                throw new InvalidScheduleException(field, field + " must be a positive number of seconds, got " + node);
            }
            return Duration.ofNanos(seconds.movePointRight(9).longValue());
        }
        if (node.isString()) {
            try {
                return Duration.parse(node.stringValue());
            } catch (DateTimeParseException ex) {
                throw new InvalidScheduleException(field, field + " must be seconds or an ISO-8601 duration such as "
                        + "\"PT30S\", got \"" + node.stringValue() + "\"");
            }
        }
        throw new InvalidScheduleException(field, field + " must be seconds or an ISO-8601 duration, got "
                + node.getNodeType());
    }

    private static BigDecimal seconds(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.toMillis()).movePointLeft(3).stripTrailingZeros();
        // Never 6E+1: a plain number is what every JSON reader takes.
        return seconds.scale() < 0 ? seconds.setScale(0) : seconds;
    }
}
