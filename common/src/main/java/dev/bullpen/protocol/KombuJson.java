package dev.bullpen.protocol;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the typed values kombu 5.3+ (so Celery 5.3+) puts in JSON bodies: an object with exactly
 * the two keys {@code __type__} and {@code __value__}, as written by {@code kombu/utils/json.py}
 * ({@code JSONEncoder.default}, {@code _as}, {@code register_type}) and read back by its
 * {@code object_hook}. Each becomes the plain JSON value Jackson binds to the matching Java type:
 *
 * <ul>
 * <li>{@code datetime} ({@code datetime.isoformat()}): the same ISO text; a {@code LocalDateTime}
 *     parameter takes a naive one, {@code OffsetDateTime}/{@code ZonedDateTime}/{@code Instant} an aware one;
 * <li>{@code date} ({@code date.isoformat()}): {@code 2026-11-25}, for {@code LocalDate};
 * <li>{@code time} ({@code time.isoformat()}): the same text, for {@code LocalTime} or {@code OffsetTime};
 * <li>{@code uuid} ({@code {"hex": ..., "version": ...}}): the canonical string, for {@code UUID};
 * <li>{@code decimal} ({@code str(Decimal)}): an exact decimal number, for {@code BigDecimal}
 *     (NaN and infinities become the float ones);
 * <li>{@code bytes} (UTF-8 text) and {@code base64}: binary, for {@code byte[]}.
 * </ul>
 *
 * <p>As in kombu, an object with other keys besides these two is left alone, and a wrapper of an
 * unknown type or with a value its type cannot read fails the whole message (kombu raises
 * {@code ValueError}; Bullpen dead-letters it with the reason).
 *
 * <p>Bullpen never writes these wrappers: its messages and results are plain JSON (a date as its
 * ISO text), which every Celery 5.x reads; a Celery 5.3+ task then receives the text, not a datetime.
 */
public final class KombuJson {

    private static final Set<String> WRAPPER_KEYS = Set.of("__type__", "__value__");
    private static final JsonNodeFactory NODES = CeleryJson.mapper().getNodeFactory();

    /** What {@code datetime.fromisoformat} reads, which is a superset of what isoformat writes. */
    private static final DateTimeFormatter ISO_DATE_TIME = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private KombuJson() {
    }

    /**
     * {@code node} with every kombu wrapper in it replaced by its plain value: a copy when there is
     * one, else {@code node} itself (most bodies have none, and some are large).
     *
     * @throws MalformedMessageException for a wrapper of an unknown type or with an unreadable value
     */
    public static JsonNode unwrap(JsonNode node) {
        return hasWrapper(node) ? copy(node) : node;
    }

    /**
     * Like {@link #unwrap(JsonNode)}, but a value with a bad wrapper in it is returned as it is: for
     * readers of stored results, which must not fail on what a newer Celery wrote.
     */
    public static JsonNode unwrapOrKeep(JsonNode node) {
        try {
            return unwrap(node);
        } catch (MalformedMessageException ex) {
            return node;
        }
    }

    private static boolean hasWrapper(JsonNode node) {
        if (isWrapper(node)) {
            return true;
        }
        if (node.isContainer()) {
            for (JsonNode v : node.values()) {
                if (hasWrapper(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** kombu's test is {@code o.keys() == {"__type__", "__value__"}}: those two keys and no others. */
    private static boolean isWrapper(JsonNode node) {
        return node.isObject() && node.size() == 2 && WRAPPER_KEYS.containsAll(node.propertyNames());
    }

    private static JsonNode copy(JsonNode node) {
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode(node.size());
            node.forEach(v -> out.add(copy(v)));
            return out;
        }
        if (!node.isObject()) {
            return node;
        }
        if (isWrapper(node)) {
            return typed(node.get("__type__"), node.get("__value__"), node);
        }
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.set(e.getKey(), copy(e.getValue()));
        }
        return out;
    }

    private static JsonNode typed(JsonNode type, JsonNode value, JsonNode wrapper) {
        if (!type.isString()) {
            throw bad(wrapper, "__type__ must be a string");
        }
        try {
            return switch (type.stringValue()) {
                case "datetime" -> dateTime(text(value, wrapper));
                case "date" -> date(text(value, wrapper));
                case "time" -> time(text(value, wrapper));
                case "uuid" -> uuid(value, wrapper);
                case "decimal" -> decimal(text(value, wrapper), wrapper);
                case "bytes" -> NODES.binaryNode(text(value, wrapper).getBytes(StandardCharsets.UTF_8));
                case "base64" -> NODES.binaryNode(base64(text(value, wrapper)));
                default -> throw bad(wrapper, "unsupported kombu JSON type '" + type.stringValue()
                        + "' (Bullpen reads datetime, date, time, uuid, decimal, bytes and base64)");
            };
        } catch (DateTimeParseException | IllegalArgumentException ex) {
            throw bad(wrapper, "not a valid " + type.stringValue() + ": " + ex.getMessage());
        }
    }

    private static JsonNode dateTime(String text) {
        ISO_DATE_TIME.parse(text);
        if (text.length() < 11 || (text.charAt(10) != 'T' && text.charAt(10) != ' ')) {
            throw new IllegalArgumentException("no time in '" + text + "'");
        }
        // isoformat() output is already what java.time reads; only a space separator needs changing.
        return NODES.stringNode(text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text);
    }

    /** kombu reads a date with {@code datetime.fromisoformat(o).date()}, so a date-time is a date too. */
    private static JsonNode date(String text) {
        if (text.length() == 10) {
            return NODES.stringNode(LocalDate.parse(text).toString());
        }
        return NODES.stringNode(LocalDate.from(ISO_DATE_TIME.parse(text)).toString());
    }

    private static JsonNode time(String text) {
        try {
            LocalTime.parse(text);
        } catch (DateTimeParseException naive) {
            OffsetTime.parse(text);
        }
        return NODES.stringNode(text);
    }

    /** {@code uuid.UUID(**o)}: the hex in any spelling UUID accepts; version bits are in the hex already. */
    private static JsonNode uuid(JsonNode value, JsonNode wrapper) {
        if (!value.isObject() || !value.path("hex").isString()) {
            throw bad(wrapper, "a uuid's __value__ must be {\"hex\": ..., \"version\": ...}");
        }
        String hex = value.get("hex").stringValue().replace("urn:", "").replace("uuid:", "")
                .replace("{", "").replace("}", "").replace("-", "");
        if (hex.length() != 32 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("badly formed hexadecimal UUID string '" + value.get("hex").stringValue() + "'");
        }
        UUID uuid = new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
        return NODES.stringNode(uuid.toString());
    }

    /** What {@code base64.b64encode} writes; like Python's decoder, padding is required. */
    private static byte[] base64(String text) {
        if (text.length() % 4 != 0) {
            throw new IllegalArgumentException("incorrect padding");
        }
        return Base64.getDecoder().decode(text);
    }

    private static JsonNode decimal(String text, JsonNode wrapper) {
        String t = text.strip().replace("_", "");
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "nan", "+nan", "-nan", "snan", "+snan", "-snan" -> NODES.numberNode(Double.NaN);
            case "inf", "+inf", "infinity", "+infinity" -> NODES.numberNode(Double.POSITIVE_INFINITY);
            case "-inf", "-infinity" -> NODES.numberNode(Double.NEGATIVE_INFINITY);
            default -> {
                try {
                    yield NODES.numberNode(new BigDecimal(t));
                } catch (NumberFormatException ex) {
                    throw bad(wrapper, "not a valid decimal: '" + text + "'");
                }
            }
        };
    }

    private static String text(JsonNode value, JsonNode wrapper) {
        if (!value.isString()) {
            throw bad(wrapper, "__value__ must be a string");
        }
        return value.stringValue();
    }

    private static MalformedMessageException bad(JsonNode wrapper, String why) {
        String shown = wrapper.toString();
        return new MalformedMessageException("bad kombu JSON value " + (shown.length() > 120 ? shown.substring(0, 120) + "..." : shown)
                + ": " + why);
    }
}
