package dev.bullpen.protocol;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A task invocation carried inside another message: a link, an errback, a chain step or a chord
 * body. Its JSON is Celery's signature dict: {@code task, args, kwargs, options, subtask_type,
 * immutable}.
 *
 * @param task the registered task name
 * @param args positional arguments
 * @param kwargs keyword arguments
 * @param options call options such as {@code task_id}, {@code queue} or {@code reply_to}
 * @param subtaskType {@code null} for a plain task, or {@code group}, {@code chain}, {@code chord}
 * @param immutable when true the parent's result is not prepended to {@link #args()}
 */
public record Signature(String task, ArrayNode args, ObjectNode kwargs, ObjectNode options,
        @Nullable String subtaskType, boolean immutable) {

    /** A mutable signature with no arguments and no options. */
    public static Signature of(String task) {
        var mapper = CeleryJson.mapper();
        return new Signature(task, mapper.createArrayNode(), mapper.createObjectNode(),
                mapper.createObjectNode(), null, false);
    }

    /** The value of option {@code name}, or a missing node. */
    public JsonNode option(String name) {
        return options.path(name);
    }

    /** A copy with option {@code name} set; this signature is unchanged. */
    public Signature withOption(String name, JsonNode value) {
        ObjectNode copy = options.deepCopy();
        copy.set(name, value);
        return new Signature(task, args, kwargs, copy, subtaskType, immutable);
    }

    /** A copy with option {@code name} set to a string. */
    public Signature withOption(String name, String value) {
        return withOption(name, CeleryJson.mapper().getNodeFactory().stringNode(value));
    }

    /** A copy that ignores its parent's result. */
    public Signature asImmutable() {
        return new Signature(task, args, kwargs, options, subtaskType, true);
    }

    /** The preset task id ({@code options.task_id}), or {@code null}. */
    public @Nullable String taskId() {
        JsonNode id = options.path("task_id");
        return id.isString() ? id.stringValue() : null;
    }

    /** Celery's signature dict. */
    public ObjectNode toJson() {
        ObjectNode node = CeleryJson.mapper().createObjectNode();
        node.put("task", task);
        node.set("args", args);
        node.set("kwargs", kwargs);
        node.set("options", options);
        node.put("subtask_type", subtaskType);
        node.put("immutable", immutable);
        return node;
    }

    /**
     * Reads Celery's signature dict.
     *
     * @throws MalformedMessageException when it is not an object with a string {@code task}
     */
    public static Signature fromJson(JsonNode node) {
        if (!node.isObject() || !node.path("task").isString()) {
            throw new MalformedMessageException("a signature must be an object with a string 'task': " + node);
        }
        var mapper = CeleryJson.mapper();
        JsonNode args = node.path("args");
        JsonNode kwargs = node.path("kwargs");
        JsonNode options = node.path("options");
        JsonNode subtaskType = node.path("subtask_type");
        return new Signature(node.get("task").stringValue(),
                args.isArray() ? (ArrayNode) args : mapper.createArrayNode(),
                kwargs.isObject() ? (ObjectNode) kwargs : mapper.createObjectNode(),
                options.isObject() ? (ObjectNode) options : mapper.createObjectNode(),
                subtaskType.isString() ? subtaskType.stringValue() : null,
                node.path("immutable").asBoolean(false));
    }
}
