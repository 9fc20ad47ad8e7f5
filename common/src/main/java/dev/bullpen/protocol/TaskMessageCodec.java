package dev.bullpen.protocol;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Encodes and decodes Celery protocol v2 task messages (JSON body) to and from AMQP.
 *
 * <p>Encoding writes what Celery 5.2 writes: the same header names and value types (null as AMQP
 * void, {@code timelimit} as an array), the same properties, and a body that is byte-for-byte what
 * Python's {@code json.dumps} produces. Decoding accepts what any Celery 5.x client sends: kombu
 * 5.3+'s typed JSON values in args and kwargs (see {@code KombuJson}), bodies compressed with
 * kombu's zlib/gzip ({@code compression} header, see {@code BodyCompression}), and headers of any length
 * (the RabbitMQ client hands long strings over as {@link LongString}).
 *
 * <p>Thread-safe and immutable.
 */
public final class TaskMessageCodec {

    private static final Set<String> KNOWN_HEADERS = Set.of("lang", "task", "id", "shadow", "eta", "expires",
            "group", "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr",
            "origin", "ignore_result");

    private final int maxInflated;

    /** A codec that inflates compressed bodies up to RabbitMQ's default {@code max_message_size}, 128 MiB. */
    public TaskMessageCodec() {
        this(BodyCompression.MAX_INFLATED);
    }

    /**
     * @param maxInflated the most a compressed body may inflate to; a body that inflates past it is
     *        malformed (a worker passes its {@code max-message-bytes}, so a small "zip bomb" cannot
     *        take more of its heap than a plain message could)
     */
    public TaskMessageCodec(int maxInflated) {
        if (maxInflated < 1) {
            throw new IllegalArgumentException("maxInflated must be positive, got " + maxInflated);
        }
        this.maxInflated = maxInflated;
    }

    /** The AMQP basic properties of a message. */
    public AMQP.BasicProperties properties(TaskMessage message) {
        DeliveryProperties p = message.properties();
        return new AMQP.BasicProperties.Builder()
                .contentType(p.contentType())
                .contentEncoding(p.contentEncoding())
                .deliveryMode(p.deliveryMode())
                .priority(p.priority())
                .correlationId(p.correlationId())
                .replyTo(p.replyTo())
                .expiration(p.expiration())
                .headers(headers(message.headers()))
                .build();
    }

    /** The AMQP header table, in the order Celery writes it, nulls included. */
    public Map<String, @Nullable Object> headers(TaskHeaders h) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("lang", h.lang());
        out.put("task", h.task());
        out.put("id", h.id());
        out.put("shadow", h.shadow());
        out.put("eta", h.eta() == null ? null : WireTime.format(h.eta()));
        out.put("expires", h.expires() == null ? null : WireTime.format(h.expires()));
        out.put("group", h.group());
        out.put("group_index", h.groupIndex());
        out.put("retries", h.retries());
        out.put("timelimit", java.util.Arrays.asList(seconds(h.timeLimit().hard()), seconds(h.timeLimit().soft())));
        out.put("root_id", h.rootId());
        out.put("parent_id", h.parentId());
        out.put("argsrepr", h.argsrepr());
        out.put("kwargsrepr", h.kwargsrepr());
        out.put("origin", h.origin());
        out.put("ignore_result", h.ignoreResult());
        out.putAll(h.extra());
        return out;
    }

    /** The body {@code [args, kwargs, embed]} as Python's {@code json.dumps} writes it. */
    public byte[] body(TaskMessage message) {
        ArrayNode body = CeleryJson.mapper().createArrayNode();
        body.add(message.args());
        body.add(message.kwargs());
        ObjectNode embed = body.addObject();
        Embed e = message.embed();
        embed.set("callbacks", signatures(e.callbacks()));
        embed.set("errbacks", signatures(e.errbacks()));
        embed.set("chain", signatures(e.chain()));
        embed.set("chord", e.chord() == null ? null : e.chord().toJson());
        return CeleryJson.writer().writeValueAsBytes(body);
    }

    /**
     * Decodes a delivery.
     *
     * @throws MalformedMessageException when the message is not a protocol v2 JSON task message
     */
    public TaskMessage decode(AMQP.BasicProperties props, byte[] body) {
        Map<String, Object> raw = props.getHeaders() == null ? Map.of() : props.getHeaders();
        DeliveryProperties delivery = new DeliveryProperties(props.getCorrelationId(),
                props.getContentType() == null ? "" : props.getContentType(), props.getContentEncoding(),
                props.getDeliveryMode() == null ? 1 : props.getDeliveryMode(),
                props.getPriority() == null ? 0 : props.getPriority(), props.getReplyTo(), props.getExpiration());
        return decode(raw, delivery, body);
    }

    /**
     * Decodes headers, properties and body.
     *
     * @throws MalformedMessageException when the message is not a protocol v2 JSON task message
     */
    public TaskMessage decode(Map<String, ?> rawHeaders, DeliveryProperties delivery, byte[] body) {
        Map<String, @Nullable Object> headers = new LinkedHashMap<>();
        rawHeaders.forEach((k, v) -> headers.put(k, plain(v)));
        if (!(headers.get("task") instanceof String task)) {
            throw new MalformedMessageException("no 'task' header: not a Celery protocol v2 message");
        }
        if (!DeliveryProperties.JSON.equals(delivery.contentType())) {
            throw new MalformedMessageException("unsupported content type '" + delivery.contentType()
                    + "': Bullpen accepts application/json");
        }
        String compression = string(headers, "compression");
        byte[] json = compression == null ? body : BodyCompression.inflate(compression, body, maxInflated);
        String id = string(headers, "id");
        if (id == null) {
            id = delivery.correlationId();
        }
        if (id == null) {
            throw new MalformedMessageException("no 'id' header and no correlation_id");
        }
        JsonNode parsed;
        try {
            parsed = CeleryJson.mapper().readTree(json);
        } catch (JacksonException ex) {
            throw new MalformedMessageException("body is not JSON: " + ex.getOriginalMessage(), ex);
        }
        if (!parsed.isArray() || parsed.size() != 3 || !parsed.get(0).isArray() || !parsed.get(1).isObject()) {
            throw new MalformedMessageException("body must be [args, kwargs, embed], got: " + abbreviate(parsed));
        }
        Map<String, @Nullable Object> extra = new LinkedHashMap<>(headers);
        extra.keySet().removeAll(KNOWN_HEADERS);
        // It describes these bytes, not the task: a message rebuilt from the headers is not compressed.
        extra.remove("compression");
        TaskHeaders taskHeaders = new TaskHeaders(
                stringOr(headers, "lang", "py"), task, id, string(headers, "shadow"),
                time(headers, "eta"), time(headers, "expires"), string(headers, "group"),
                integer(headers, "group_index"), retries(headers), timeLimit(headers.get("timelimit")),
                string(headers, "root_id"), string(headers, "parent_id"), string(headers, "argsrepr"),
                string(headers, "kwargsrepr"), string(headers, "origin"),
                Boolean.TRUE.equals(headers.get("ignore_result")), extra);
        // The task's own arguments are read as kombu reads them; the embedded signatures are passed
        // on as they came, so that a Python worker further down a chain still gets its datetimes.
        return new TaskMessage(taskHeaders, (ArrayNode) KombuJson.unwrap(parsed.get(0)),
                (ObjectNode) KombuJson.unwrap(parsed.get(1)), embed(parsed.get(2)), delivery);
    }

    private static Embed embed(JsonNode node) {
        if (node.isNull()) {
            return Embed.NONE;
        }
        if (!node.isObject()) {
            throw new MalformedMessageException("embed must be an object or null, got: " + abbreviate(node));
        }
        JsonNode chord = node.path("chord");
        return new Embed(signatureList(node.path("callbacks")), signatureList(node.path("errbacks")),
                signatureList(node.path("chain")), chord.isObject() ? Signature.fromJson(chord) : null);
    }

    private static @Nullable List<Signature> signatureList(JsonNode node) {
        if (!node.isArray()) {
            return null;
        }
        List<Signature> out = new ArrayList<>(node.size());
        node.forEach(s -> out.add(Signature.fromJson(s)));
        return out;
    }

    private static @Nullable JsonNode signatures(@Nullable List<Signature> signatures) {
        if (signatures == null) {
            return null;
        }
        ArrayNode out = CeleryJson.mapper().createArrayNode();
        signatures.forEach(s -> out.add(s.toJson()));
        return out;
    }

    /** AMQP gives strings as {@link LongString}; make every value a plain Java value. */
    private static @Nullable Object plain(@Nullable Object value) {
        if (value instanceof LongString s) {
            return s.toString();
        }
        if (value instanceof List<?> list) {
            List<@Nullable Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, @Nullable Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k.toString(), plain(v)));
            return out;
        }
        return value;
    }

    private static TimeLimit timeLimit(@Nullable Object value) {
        if (value == null) {
            return TimeLimit.NONE;
        }
        if (!(value instanceof List<?> list) || list.size() != 2) {
            throw new MalformedMessageException("timelimit must be [hard, soft], got: " + value);
        }
        return new TimeLimit(number(list.get(0)), number(list.get(1)));
    }

    private static @Nullable Double number(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new MalformedMessageException("expected a number, got: " + value);
    }

    /** Whole seconds go out as integers, as Python sends {@code 20} rather than {@code 20.0}. */
    private static @Nullable Object seconds(@Nullable Double value) {
        if (value == null) {
            return null;
        }
        return value == Math.rint(value) && Math.abs(value) < Integer.MAX_VALUE ? (Object) value.intValue() : value;
    }

    private static @Nullable String string(Map<String, @Nullable Object> headers, String name) {
        Object v = headers.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new MalformedMessageException("header '" + name + "' must be a string, got: " + v);
    }

    private static String stringOr(Map<String, @Nullable Object> headers, String name, String fallback) {
        String v = string(headers, name);
        return v == null ? fallback : v;
    }

    private static @Nullable Integer integer(Map<String, @Nullable Object> headers, String name) {
        Long v = whole(headers, name);
        if (v == null) {
            return null;
        }
        if (v != v.intValue()) {
            throw new MalformedMessageException("header '" + name + "' is out of range: " + v);
        }
        return v.intValue();
    }

    /**
     * Python's integers have no bound, and py-amqp sends one past 32 bits as a 64-bit value: a count
     * of retries that large is as good as endless, so it is kept at {@code Integer.MAX_VALUE} rather
     * than refused or wrapped round to a small number.
     */
    private static int retries(Map<String, @Nullable Object> headers) {
        Long v = whole(headers, "retries");
        return v == null ? 0 : (int) Math.clamp(v, 0, Integer.MAX_VALUE);
    }

    private static @Nullable Long whole(Map<String, @Nullable Object> headers, String name) {
        Object v = headers.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw new MalformedMessageException("header '" + name + "' must be an integer, got: " + v);
    }

    /**
     * Celery writes {@code eta} and {@code expires} as {@code isoformat()} text, never wrapped (AMQP
     * headers are not JSON); a kombu-style {@code {"__type__": "datetime", ...}} table is read too.
     */
    private static @Nullable OffsetDateTime time(Map<String, @Nullable Object> headers, String name) {
        if (headers.get(name) instanceof Map<?, ?> wrapped && wrapped.size() == 2
                && "datetime".equals(wrapped.get("__type__")) && wrapped.get("__value__") instanceof String v) {
            return WireTime.parse(v);
        }
        String v = string(headers, name);
        return v == null ? null : WireTime.parse(v);
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
