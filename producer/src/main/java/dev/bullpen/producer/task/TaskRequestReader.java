package dev.bullpen.producer.task;

import dev.bullpen.client.TaskOptions;
import dev.bullpen.logging.ControlCharacters;
import dev.bullpen.protocol.CeleryJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * Reads a {@code POST /api/tasks} body as JSON and checks every field before anything is sent. It
 * parses the tree itself rather than binding a DTO so that each refusal names the field at fault and
 * says what was expected. Stateless.
 */
final class TaskRequestReader {

    static final Set<String> FIELDS = Set.of("task", "args", "kwargs", "queue", "countdown", "eta", "expires",
            "priority", "task_id", "time_limit", "soft_time_limit", "ignore_result", "worker");

    /** Ten years: far enough for any schedule, near enough that no Duration or Instant overflows. */
    static final double MAX_SECONDS = 10 * 365 * 86_400d;

    /** Longer than any sensible dotted task name; a name is a meter tag, a log field and an AMQP header. */
    static final int MAX_TASK_NAME = 255;

    /** Safe in a URL path, a Redis key and an AMQP short string. */
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]{0,254}");

    /** Duplicate keys are refused: which one would win is the kind of surprise a task API must not have. */
    private static final ObjectReader JSON = CeleryJson.mapper().reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses and validates a body; {@code now} anchors countdown and relative expiry. */
    TaskSubmission parse(byte[] body, Instant now) {
        return parse(readTree(body), now);
    }

    /** Validates a body read by {@link #readTree}; {@code now} anchors countdown and relative expiry. */
    TaskSubmission parse(JsonNode root, Instant now) {
        for (String name : root.propertyNames()) {
            if (!FIELDS.contains(name)) {
                // The name is the caller's text, echoed back: keep a huge one from filling the answer.
                String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
                throw new InvalidTaskRequestException(shown, "unknown field '" + shown + "'; known fields are "
                        + FIELDS.stream().sorted().toList());
            }
        }
        String task = task(root.get("task"));
        List<JsonNode> args = args(present(root, "args"));
        Map<String, JsonNode> kwargs = kwargs(present(root, "kwargs"));

        String worker = worker(present(root, "worker"));
        String queue = queue(present(root, "queue"));
        if (worker != null && queue != null) {
            throw new InvalidTaskRequestException("worker", "queue and worker are exclusive: a task for worker " + worker
                    + " goes to its own queue " + worker + ".dq2");
        }
        TaskOptions options = TaskOptions.defaults()
                .queue(queue)
                .worker(worker)
                .priority(priority(present(root, "priority")))
                .taskId(taskId(present(root, "task_id")))
                .timeLimit(seconds("time_limit", present(root, "time_limit"), false))
                .softTimeLimit(seconds("soft_time_limit", present(root, "soft_time_limit"), false))
                .ignoreResult(bool("ignore_result", present(root, "ignore_result")));

        Duration countdown = seconds("countdown", present(root, "countdown"), true);
        Instant eta = instant("eta", present(root, "eta"));
        if (eta != null && eta.isAfter(now.plusSeconds((long) MAX_SECONDS))) {
            // The bound countdown has: a task due decades on is a typo, and would sit in a delay queue for good.
            throw new InvalidTaskRequestException("eta", "eta must be at most " + (long) MAX_SECONDS + " seconds (10 "
                    + "years) from now, like countdown, got \"" + root.get("eta").stringValue() + "\"");
        }
        if (eta != null && countdown != null && !countdown.isZero()) {
            // Celery lets countdown silently win; a refusal is kinder than guessing which was meant.
            throw new InvalidTaskRequestException("countdown", "countdown and eta are exclusive: give one of them");
        }
        options = options.countdown(countdown).eta(eta).expires(expires(present(root, "expires"), now));
        return new TaskSubmission(task, args, kwargs, options);
    }

    /** Reads a body as one JSON object, refusing anything else with 400. */
    static JsonNode readTree(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException ex) {
            var where = ex.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            throw new InvalidTaskRequestException("body", "request body is not valid JSON" + at + ": " + brief(ex));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidTaskRequestException("body", "request body is empty; expected a JSON object with at least 'task'");
        }
        if (!root.isObject()) {
            throw new InvalidTaskRequestException("body", "request body must be a JSON object, got " + kind(root));
        }
        return root;
    }

    /**
     * Reads a {@code POST /api/tasks/batch} body: a JSON array of 1 to {@code max} task requests,
     * each still to be checked with {@link #parse(JsonNode, Instant)}.
     */
    static List<JsonNode> readBatch(byte[] body, int max) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException ex) {
            var where = ex.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            throw new InvalidTaskRequestException("body", "request body is not valid JSON" + at + ": " + brief(ex));
        }
        if (root == null || root.isMissingNode() || !root.isArray()) {
            throw new InvalidTaskRequestException("body", "request body must be a JSON array of task requests, got "
                    + (root == null || root.isMissingNode() ? "nothing" : kind(root)));
        }
        if (root.isEmpty() || root.size() > max) {
            throw new InvalidTaskRequestException("body", "a batch holds 1 to " + max + " tasks, got " + root.size());
        }
        List<JsonNode> elements = new ArrayList<>(root.size());
        root.forEach(elements::add);
        return elements;
    }

    /** A field's value, with JSON null read as absent, as optional fields are in Celery's options. */
    private static @Nullable JsonNode present(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static String task(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            throw new InvalidTaskRequestException("task", "task is required: the registered task name, e.g. \"demo.add\"");
        }
        if (!node.isString()) {
            throw new InvalidTaskRequestException("task", "task must be a string, got " + kind(node));
        }
        if (node.stringValue().isBlank()) {
            throw new InvalidTaskRequestException("task", "task must not be blank");
        }
        String task = node.stringValue();
        if (task.length() > MAX_TASK_NAME) {
            throw new InvalidTaskRequestException("task", "task must be at most " + MAX_TASK_NAME + " characters, got "
                    + task.length());
        }
        noControlCharacters("task", task);
        return task;
    }

    private static List<JsonNode> args(@Nullable JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidTaskRequestException("args", "args must be a JSON array, got " + kind(node));
        }
        requireFinite("args", node);
        return new ArrayList<>(node.values());
    }

    private static Map<String, JsonNode> kwargs(@Nullable JsonNode node) {
        if (node == null) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidTaskRequestException("kwargs", "kwargs must be a JSON object, got " + kind(node));
        }
        requireFinite("kwargs", node);
        Map<String, JsonNode> kwargs = new LinkedHashMap<>();
        node.properties().forEach(e -> kwargs.put(e.getKey(), e.getValue()));
        return kwargs;
    }

    /** Jackson reads 1e400 as Infinity and would send the string "Infinity": refuse rather than change it. */
    private static void requireFinite(String field, JsonNode node) {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new InvalidTaskRequestException(field, field + " contains a number out of range: " + node.asString());
        }
        if (node.isContainer()) {
            node.values().forEach(child -> requireFinite(field, child));
        }
    }

    private static @Nullable String queue(@Nullable JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isString() || node.stringValue().isBlank()) {
            throw new InvalidTaskRequestException("queue", "queue must be a non-blank string, got " + kind(node));
        }
        String queue = node.stringValue();
        if (queue.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new InvalidTaskRequestException("queue", "queue must be at most 255 bytes long");
        }
        noControlCharacters("queue", queue);
        if (queue.startsWith("amq.")) {
            throw new InvalidTaskRequestException("queue", "queue names starting with 'amq.' are reserved by the broker");
        }
        return queue;
    }

    /** A node name as {@code GET /api/workers} lists it; its {@code .dq2} queue name must fit AMQP's 255 bytes. */
    private static @Nullable String worker(@Nullable JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isString() || node.stringValue().isBlank()) {
            throw new InvalidTaskRequestException("worker", "worker must be a worker's node name such as \"bullpen@host\" "
                    + "(GET /api/workers lists them), got " + kind(node));
        }
        String worker = node.stringValue();
        if (worker.getBytes(StandardCharsets.UTF_8).length > 251) {
            throw new InvalidTaskRequestException("worker", "worker must be at most 251 bytes long");
        }
        noControlCharacters("worker", worker);
        return worker;
    }

    /**
     * Names reach log lines, Redis keys and meter tags: a line feed would forge a log line, an escape
     * sequence would drive an operator's terminal. Refused here; logs escape them anyway.
     */
    static void noControlCharacters(String field, String value) {
        int at = ControlCharacters.indexOf(value);
        if (at >= 0) {
            throw new InvalidTaskRequestException(field, field + " must not contain control characters, got "
                    + String.format("U+%04X", (int) value.charAt(at)) + " at index " + at);
        }
    }

    private static @Nullable Integer priority(@Nullable JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0 || node.intValue() > 9) {
            throw new InvalidTaskRequestException("priority", "priority must be an integer from 0 to 9, got "
                    + describe(node));
        }
        return node.intValue();
    }

    private static @Nullable String taskId(@Nullable JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isString() || !TASK_ID.matcher(node.stringValue()).matches()) {
            throw new InvalidTaskRequestException("task_id", "task_id must be 1 to 255 letters, digits or ._:@+- "
                    + "starting with a letter or digit, got " + describe(node));
        }
        return node.stringValue();
    }

    private static boolean bool(String field, @Nullable JsonNode node) {
        if (node == null) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new InvalidTaskRequestException(field, field + " must be true or false, got " + kind(node));
        }
        return node.booleanValue();
    }

    /** A number of seconds; zero is allowed only where it means "no delay". */
    private static @Nullable Duration seconds(String field, @Nullable JsonNode node, boolean zeroAllowed) {
        if (node == null) {
            return null;
        }
        double seconds = node.isNumber() ? node.doubleValue() : Double.NaN;
        boolean inRange = zeroAllowed ? seconds >= 0 : seconds > 0;
        if (!inRange || seconds > MAX_SECONDS) {
            throw new InvalidTaskRequestException(field, field + " must be a number of seconds "
                    + (zeroAllowed ? ">= 0" : "> 0") + " and at most " + (long) MAX_SECONDS + ", got " + describe(node));
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static @Nullable Instant instant(String field, @Nullable JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isString()) {
            throw new InvalidTaskRequestException(field, field + " must be an ISO-8601 date-time string, got " + kind(node));
        }
        String text = node.stringValue();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                // Naive times are UTC, as the protocol says. java.time's ISO parsers are strict, so
                // 2026-02-30 is refused rather than moved to the 28th.
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException ex) {
                throw new InvalidTaskRequestException(field, field + " must be an ISO-8601 date-time such as "
                        + "2026-01-01T00:00:00Z, got \"" + text + "\"");
            }
        }
    }

    private static @Nullable Instant expires(@Nullable JsonNode node, Instant now) {
        if (node == null) {
            return null;
        }
        if (node.isNumber()) {
            Duration in = seconds("expires", node, false);
            return in == null ? null : now.plus(in);
        }
        if (node.isString()) {
            return instant("expires", node);
        }
        throw new InvalidTaskRequestException("expires", "expires must be seconds from now (a number > 0) "
                + "or an ISO-8601 date-time string, got " + kind(node));
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        return kind(node) + " " + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case BINARY, MISSING -> "nothing";
        };
    }

    /** Jackson's message without its source-location tail, which only says the source is redacted. */
    private static String brief(JacksonException ex) {
        String message = String.valueOf(ex.getOriginalMessage());
        int tail = message.indexOf(" (start marker");
        return tail < 0 ? message : message.substring(0, tail);
    }
}
