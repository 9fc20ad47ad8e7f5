package dev.bullpen.result;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.KombuJson;
import dev.bullpen.protocol.MalformedMessageException;
import dev.bullpen.protocol.WireTime;
import java.time.OffsetDateTime;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JacksonSerializable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.jsontype.TypeSerializer;
import tools.jackson.databind.node.NullNode;

/** Celery's result meta JSON, written in the order Celery 5.2 writes it. */
final class ResultCodec {

    private ResultCodec() {
    }

    /**
     * The order is Celery's ({@code BaseBackend._get_result_meta} then {@code _store_result}): the five
     * core fields, {@code group_id} and {@code parent_id} when set, the extended fields, and
     * {@code task_id} last. Streamed to the generator: no tree is built for the fixed fields.
     */
    /**
     * Refuses a result whose encoding is over {@code maxBytes} UTF-8 bytes; {@code why} says whose limit that is.
     *
     * @throws ResultTooLargeException when it is
     */
    static void requireWithin(TaskResult result, String json, long maxBytes, String why) {
        // A char is at least one UTF-8 byte and at most three: count exactly only when it could matter.
        if ((long) json.length() * 3 <= maxBytes) {
            return;
        }
        long bytes = json.length() > maxBytes ? json.length() : utf8Length(json);
        if (bytes > maxBytes) {
            throw new ResultTooLargeException(result.taskId(), bytes, maxBytes, why);
        }
    }

    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static String encode(TaskResult r) {
        return CeleryJson.writer().writeValueAsString(new Encoded(r));
    }

    /** A result as it writes itself, field by field, in Celery's order. */
    private record Encoded(TaskResult r) implements JacksonSerializable {

        @Override
        public void serialize(JsonGenerator g, SerializationContext ctx) {
            g.writeStartObject();
            g.writeStringProperty("status", r.state().name());
            tree(g, ctx, "result", r.result());
            g.writeStringProperty("traceback", r.traceback());
            tree(g, ctx, "children", r.children());
            g.writeStringProperty("date_done", r.dateDone() == null ? null : WireTime.formatNaiveUtc(r.dateDone()));
            ResultMeta m = r.meta();
            if (m.groupId() != null) {
                g.writeStringProperty("group_id", m.groupId());
            }
            if (m.parentId() != null) {
                g.writeStringProperty("parent_id", m.parentId());
            }
            if (m.name() != null) {
                g.writeStringProperty("name", m.name());
                tree(g, ctx, "args", m.args());
                tree(g, ctx, "kwargs", m.kwargs());
                g.writeStringProperty("worker", m.worker());
                if (m.retries() == null) {
                    g.writeNullProperty("retries");
                } else {
                    g.writeNumberProperty("retries", m.retries());
                }
                g.writeStringProperty("queue", m.queue());
            }
            g.writeStringProperty("task_id", r.taskId());
            g.writeEndObject();
        }

        private static void tree(JsonGenerator g, SerializationContext ctx, String name, @Nullable JsonNode value) {
            g.writeName(name);
            if (value == null) {
                g.writeNull();
            } else {
                value.serialize(g, ctx);
            }
        }

        @Override
        public void serializeWithType(JsonGenerator g, SerializationContext ctx, TypeSerializer typeSer) {
            serialize(g, ctx);
        }
    }

    /** Decodes a stored value; garbage reads as PENDING rather than failing the reader. */
    static TaskResult decode(String taskId, String json) {
        JsonNode node;
        try {
            node = CeleryJson.mapper().readTree(json);
        } catch (JacksonException ex) {
            return TaskResult.pending(taskId);
        }
        TaskState state;
        try {
            state = TaskState.of(node.path("status").asString("PENDING"));
        } catch (IllegalArgumentException ex) {
            state = TaskState.PENDING;
        }
        JsonNode dateDone = node.path("date_done");
        JsonNode traceback = node.path("traceback");
        ResultMeta meta = new ResultMeta(text(node, "name"), kombu(node.get("args")), kombu(node.get("kwargs")),
                text(node, "worker"), node.path("retries").isNumber() ? node.get("retries").asInt() : null,
                text(node, "queue"), text(node, "parent_id"), text(node, "group_id"));
        JsonNode children = node.path("children");
        // A Celery 5.3+ worker's kombu wraps datetimes, UUIDs, decimals and bytes in what it returns.
        return new TaskResult(taskId, state, Objects.requireNonNullElse(kombu(node.get("result")), NullNode.getInstance()),
                traceback.isString() ? traceback.stringValue() : null,
                dateDone.isString() ? parseDate(dateDone.stringValue()) : null, meta,
                children.isMissingNode() ? CeleryJson.mapper().createArrayNode() : children);
    }

    private static @org.jspecify.annotations.Nullable JsonNode kombu(@org.jspecify.annotations.Nullable JsonNode value) {
        return value == null ? null : KombuJson.unwrapOrKeep(value);
    }

    /** A date we cannot read is no reason to fail the reader; Celery ignores it too. */
    private static @org.jspecify.annotations.Nullable OffsetDateTime parseDate(String text) {
        try {
            return WireTime.parse(text);
        } catch (MalformedMessageException ex) {
            return null;
        }
    }

    private static @org.jspecify.annotations.Nullable String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isString() ? v.stringValue() : null;
    }
}
