package dev.bullpen.test;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real Celery 5.2 captures from {@code shared/reference/captures}: AMQP messages a Python client
 * sent and result values a Python worker stored in Redis.
 *
 * <p>Read from this test-jar's classpath ({@code /captures/...}), so tests do not depend on the shared
 * folder; when the copies are missing, found by walking up from {@code user.dir} to a
 * {@code shared/reference/captures} directory.
 */
public final class Captures {

    public static final String MESSAGES = "celery-5.2-messages.json";
    public static final String RESULTS = "celery-5.2-results.json";

    /** Hand-written Celery 5.3+ / kombu 5.3+ messages; the file's {@code about} cites the sources followed. */
    public static final String MESSAGES_5_3 = "celery-5.3-messages.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Captures() {
    }

    /**
     * One captured AMQP message. {@code body} is the JSON text, or for a compressed body its base64
     * ({@code bodyBase64} true).
     */
    public record Message(String name, JsonNode properties, JsonNode headers, String body, boolean bodyBase64) {

        public Message(String name, JsonNode properties, JsonNode headers, String body) {
            this(name, properties, headers, body, false);
        }

        /** The body bytes as they were on the wire (UTF-8; Celery's JSON is ASCII anyway). */
        public byte[] bodyBytes() {
            return bodyBase64 ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        }

        /** The header table as the RabbitMQ Java client hands it over: LongString, Integer, Boolean, null, List. */
        public Map<String, @Nullable Object> amqpHeaders() {
            Map<String, @Nullable Object> out = new LinkedHashMap<>();
            headers.properties().forEach(e -> out.put(e.getKey(), amqpValue(e.getValue())));
            return out;
        }

        /** The basic properties as the RabbitMQ Java client hands them over. */
        public AMQP.BasicProperties amqpProperties() {
            JsonNode p = properties;
            // HashMap: the client's header tables allow null values (AMQP void).
            Map<String, Object> headerTable = new HashMap<>(amqpHeaders());
            return new AMQP.BasicProperties.Builder()
                    .contentType(text(p, "content_type"))
                    .contentEncoding(text(p, "content_encoding"))
                    .deliveryMode(p.path("delivery_mode").isNumber() ? p.get("delivery_mode").intValue() : null)
                    .priority(p.path("priority").isNumber() ? p.get("priority").intValue() : null)
                    .correlationId(text(p, "correlation_id"))
                    .replyTo(text(p, "reply_to"))
                    .expiration(text(p, "expiration"))
                    .headers(headerTable)
                    .build();
        }

        private static @Nullable String text(JsonNode node, String field) {
            JsonNode v = node.path(field);
            return v.isString() ? v.stringValue() : null;
        }
    }

    /** The 11 captured messages, in capture order. */
    public static List<Message> messages() {
        JsonNode root = read(MESSAGES);
        List<Message> out = new ArrayList<>();
        for (JsonNode m : root) {
            out.add(new Message(m.get("case").stringValue(), m.get("properties"), m.get("headers"),
                    m.get("body").stringValue()));
        }
        return out;
    }

    /** The hand-written Celery 5.3+ messages (kombu's typed JSON values, zlib bodies, 5.3 headers). */
    public static List<Message> messages53() {
        List<Message> out = new ArrayList<>();
        for (JsonNode m : read(MESSAGES_5_3).get("messages")) {
            boolean base64 = m.has("body_base64");
            out.add(new Message(m.get("case").stringValue(), m.get("properties"), m.get("headers"),
                    m.get(base64 ? "body_base64" : "body").stringValue(), base64));
        }
        return out;
    }

    /** One of {@link #messages53()} by its case name. */
    public static Message message53(String name) {
        return messages53().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no 5.3 message named '" + name + "'"));
    }

    /** One hand-written Celery 5.3+ Redis result value, by name. */
    public static String result53(String name) {
        JsonNode v = read(MESSAGES_5_3).path("results").get(name);
        if (v == null || !v.isString()) {
            throw new IllegalArgumentException("no 5.3 result named '" + name + "'");
        }
        return v.stringValue();
    }

    /** The captured result values by name ({@code success_extended}, {@code failure_extended}, ...). */
    public static JsonNode results() {
        return read(RESULTS);
    }

    /** One captured Redis result value, as the exact string Celery stored. */
    public static String result(String name) {
        JsonNode v = results().get(name);
        if (v == null || !v.isString()) {
            throw new IllegalArgumentException("no string result capture named '" + name + "'");
        }
        return v.stringValue();
    }

    /** A JSON value as the RabbitMQ client decodes an AMQP table entry Celery wrote. */
    public static @Nullable Object amqpValue(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isString()) {
            return LongStringHelper.asLongString(value.stringValue());
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber()) {
            // py-amqp writes small ints as signed 32-bit 'I', larger ones as 64-bit 'l'.
            return value.canConvertToInt() ? (Object) value.intValue() : (Object) value.longValue();
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isArray()) {
            List<@Nullable Object> list = new ArrayList<>();
            value.forEach(v -> list.add(amqpValue(v)));
            return list;
        }
        Map<String, @Nullable Object> table = new HashMap<>();
        value.properties().forEach(e -> table.put(e.getKey(), amqpValue(e.getValue())));
        return table;
    }

    private static JsonNode read(String file) {
        try (InputStream in = Captures.class.getResourceAsStream("/captures/" + file)) {
            if (in != null) {
                return JSON.readTree(in);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Path shared = sharedCaptures();
        if (shared == null) {
            throw new IllegalStateException("capture " + file + " is neither on the classpath under /captures/ nor in a "
                    + "shared/reference/captures directory above " + System.getProperty("user.dir"));
        }
        try {
            return JSON.readTree(Files.readString(shared.resolve(file)));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static @Nullable Path sharedCaptures() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/reference/captures");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
