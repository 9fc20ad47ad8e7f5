package dev.bullpen.producer.workflow;

import dev.bullpen.client.PoolMap;
import dev.bullpen.protocol.CeleryJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Reads a pool map: {@code {"map": {"task", "items", "queue"}}} (one task per item, called with it),
 * {@code {"starmap": {"task", "args", "queue"}}} (one task per argument array) and
 * {@code {"chunks": {"task", "args", "size", "queue"}}} (one {@code celery.starmap} task per
 * {@code size} argument arrays). Also the shape {@link PoolMapStore} keeps them in.
 */
final class PoolMapReader {

    /** Bounds one request's inputs, as {@link WorkflowRequestReader#MAX_TASKS} bounds its tasks. */
    static final int MAX_ITEMS = 100_000;

    private PoolMapReader() {
    }

    static PoolMap read(String kind, JsonNode value, String path) {
        String inputs = kind.equals("map") ? "items" : "args";
        Set<String> fields = kind.equals("chunks") ? Set.of("task", inputs, "size", "queue") : Set.of("task", inputs, "queue");
        if (!value.isObject()) {
            throw new InvalidWorkflowException(path, "expected {\"task\": name, \"" + inputs + "\": [...]"
                    + (kind.equals("chunks") ? ", \"size\": n" : "") + "}");
        }
        for (String name : value.propertyNames()) {
            if (!fields.contains(name)) {
                throw new InvalidWorkflowException(path + "." + WorkflowRequestReader.abbreviate(name), "unknown field '"
                        + WorkflowRequestReader.abbreviate(name) + "' in " + kind + "; known fields are "
                        + fields.stream().sorted().toList());
            }
        }
        JsonNode name = value.path("task");
        if (!name.isString() || name.stringValue().isBlank() || name.stringValue().length() > 255) {
            throw new InvalidWorkflowException(path + ".task", "expected a task name: a string of 1 to 255 characters");
        }
        WorkflowRequestReader.noControlCharacters(path + ".task", name.stringValue());
        JsonNode given = value.path(inputs);
        if (!given.isArray() || given.isEmpty()) {
            throw new InvalidWorkflowException(path + "." + inputs, "expected a non-empty array of "
                    + (kind.equals("map") ? "items, each the task's one argument" : "argument arrays, one per call"));
        }
        if (given.size() > MAX_ITEMS) {
            throw new InvalidWorkflowException(path + "." + inputs, "at most " + MAX_ITEMS + " inputs, got " + given.size());
        }
        List<ArrayNode> tuples = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            JsonNode input = given.get(i);
            if (kind.equals("map")) {
                tuples.add(CeleryJson.mapper().createArrayNode().add(input));
            } else if (input instanceof ArrayNode args) {
                tuples.add(args);
            } else {
                throw new InvalidWorkflowException(path + "." + inputs + "[" + i + "]", "expected an array of the "
                        + "call's positional arguments");
            }
        }
        int size = 1;
        if (kind.equals("chunks")) {
            JsonNode n = value.path("size");
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
                throw new InvalidWorkflowException(path + ".size", "expected the chunk size: a whole number of at least 1");
            }
            size = n.asInt();
        }
        JsonNode queue = value.path("queue");
        String queueName = null;
        if (!queue.isMissingNode() && !queue.isNull()) {
            if (!queue.isString() || queue.stringValue().isBlank() || queue.stringValue().length() > 255
                    || queue.stringValue().startsWith("amq.")) {
                throw new InvalidWorkflowException(path + ".queue", "expected a queue name of 1 to 255 characters, "
                        + "not starting with amq.");
            }
            queueName = queue.stringValue();
            WorkflowRequestReader.noControlCharacters(path + ".queue", queueName);
        }
        PoolMap.Kind shape = switch (kind) {
            case "map" -> PoolMap.Kind.MAP;
            case "starmap" -> PoolMap.Kind.STARMAP;
            default -> PoolMap.Kind.CHUNKS;
        };
        return new PoolMap(shape, name.stringValue(), tuples, size, queueName);
    }

    /** The JSON {@link #read} reads back to {@code map}. */
    static JsonNode write(PoolMap map) {
        var node = CeleryJson.mapper().createObjectNode();
        node.put("task", map.task());
        ArrayNode inputs = node.putArray(map.kind() == PoolMap.Kind.MAP ? "items" : "args");
        for (int i = 0; i < map.size(); i++) {
            inputs.add(map.item(i));
        }
        if (map.kind() == PoolMap.Kind.CHUNKS) {
            node.put("size", map.chunkSize());
        }
        if (map.queue() != null) {
            node.put("queue", map.queue());
        }
        return CeleryJson.mapper().createObjectNode().set(kindName(map), node);
    }

    static String kindName(PoolMap map) {
        return map.kind().name().toLowerCase(java.util.Locale.ROOT);
    }
}
