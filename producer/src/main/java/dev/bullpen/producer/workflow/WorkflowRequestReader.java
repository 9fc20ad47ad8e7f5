package dev.bullpen.producer.workflow;

import dev.bullpen.client.PoolMap;
import dev.bullpen.client.Workflow;
import dev.bullpen.logging.ControlCharacters;
import dev.bullpen.protocol.CeleryJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads a workflow from JSON: a task {@code {"task", "args", "kwargs", "queue", "immutable"}}, or
 * {@code {"chain": [...]}}, {@code {"group": [...]}}, {@code {"chord": {"header": [...], "body": task}}},
 * a pool map {@code {"map": {"task", "items"}}}, {@code {"starmap": {"task", "args"}}},
 * {@code {"chunks": {"task", "args", "size"}}} (see {@link PoolMapReader}), nested. Every refusal
 * names the path to the fault. Stateless.
 */
final class WorkflowRequestReader {

    static final Set<String> TASK_FIELDS = Set.of("task", "args", "kwargs", "queue", "immutable");
    /** Enough for any sensible canvas; bounds the work one request can ask for. */
    static final int MAX_TASKS = 10_000;
    static final int MAX_DEPTH = 8;

    private final Function<String, @Nullable String> queueRefusal;
    private int tasks;

    private WorkflowRequestReader(Function<String, @Nullable String> queueRefusal) {
        this.queueRefusal = queueRefusal;
    }

    /** A workflow whose queues are not checked beyond their shape: for tests of the shape alone. */
    static Workflow parse(JsonNode root) {
        return parse(root, queue -> null);
    }

    /**
     * A new reader per request: it counts the tasks it reads.
     *
     * @param queueRefusal why a queue a task names may not be used (a 400's detail), or null when it may
     */
    static Workflow parse(JsonNode root, Function<String, @Nullable String> queueRefusal) {
        return new WorkflowRequestReader(queueRefusal).workflow(root, "", 0);
    }

    private Workflow workflow(JsonNode node, String path, int depth) {
        String at = path.isEmpty() ? "body" : path;
        if (!node.isObject()) {
            throw new InvalidWorkflowException(at, "expected an object: a task, or one of chain, group, chord, map, "
                    + "starmap, chunks");
        }
        if (depth > MAX_DEPTH) {
            throw new InvalidWorkflowException(at, "workflows nest at most " + MAX_DEPTH + " deep");
        }
        if (node.has("task")) {
            return task(node, at);
        }
        if (node.size() != 1) {
            throw new InvalidWorkflowException(at, "expected exactly one of task, chain, group, chord, map, starmap, "
                    + "chunks; got "
                    + node.propertyNames());
        }
        String kind = node.propertyNames().iterator().next();
        JsonNode value = node.get(kind);
        String inner = path.isEmpty() ? kind : path + "." + kind;
        return switch (kind) {
            case "chain" -> Workflow.chain(list(value, inner, depth));
            case "group" -> {
                List<Workflow> members = list(value, inner, depth);
                for (int i = 0; i < members.size(); i++) {
                    if (members.get(i) instanceof Workflow.Chord) {
                        throw new InvalidWorkflowException(inner + "[" + i + "]", "a chord inside a group is not supported");
                    }
                }
                yield Workflow.group(members);
            }
            case "chord" -> {
                if (!value.isObject() || !value.has("header") || !value.has("body") || value.size() != 2) {
                    throw new InvalidWorkflowException(inner, "a chord is {\"header\": [...], \"body\": {\"task\": ...}}");
                }
                JsonNode given = value.get("header");
                Workflow.Group header;
                if (given.isObject()) {
                    // A pool map or a group as the whole header: {"header": {"chunks": {...}}}.
                    header = switch (workflow(given, inner + ".header", depth + 1)) {
                        case PoolMap pool -> pool.group();
                        case Workflow.Group group -> group;
                        default -> throw new InvalidWorkflowException(inner + ".header",
                                "a chord's header is an array, a group or a map, starmap or chunks");
                    };
                } else {
                    header = Workflow.group(list(given, inner + ".header", depth));
                }
                if (!(workflow(value.get("body"), inner + ".body", depth + 1) instanceof Workflow.Step body)) {
                    throw new InvalidWorkflowException(inner + ".body", "a chord's body is one task");
                }
                yield Workflow.chord(header, body);
            }
            case "map", "starmap", "chunks" -> {
                PoolMap pool = PoolMapReader.read(kind, value, inner);
                checkQueue(inner + ".queue", pool.queue());
                tasks += pool.tasks();
                if (tasks > MAX_TASKS) {
                    throw new InvalidWorkflowException("body", "a workflow has at most " + MAX_TASKS + " tasks");
                }
                yield pool;
            }
            default -> throw new InvalidWorkflowException(inner, "unknown field '" + abbreviate(kind)
                    + "'; expected task, chain, group, chord, map, starmap or chunks");
        };
    }

    private List<Workflow> list(JsonNode value, String path, int depth) {
        if (!value.isArray() || value.isEmpty()) {
            throw new InvalidWorkflowException(path, "expected a non-empty array");
        }
        List<Workflow> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            out.add(workflow(value.get(i), path + "[" + i + "]", depth + 1));
        }
        return out;
    }

    private Workflow.Step task(JsonNode node, String path) {
        for (String name : node.propertyNames()) {
            if (!TASK_FIELDS.contains(name)) {
                throw new InvalidWorkflowException(path + "." + abbreviate(name), "unknown field '" + abbreviate(name)
                        + "' in a task; known fields are " + TASK_FIELDS.stream().sorted().toList());
            }
        }
        if (++tasks > MAX_TASKS) {
            throw new InvalidWorkflowException("body", "a workflow has at most " + MAX_TASKS + " tasks");
        }
        JsonNode name = node.get("task");
        if (!name.isString() || name.stringValue().isBlank() || name.stringValue().length() > 255) {
            throw new InvalidWorkflowException(path + ".task", "expected a task name: a string of 1 to 255 characters");
        }
        noControlCharacters(path + ".task", name.stringValue());
        JsonNode args = node.path("args");
        if (!args.isMissingNode() && !args.isNull() && !args.isArray()) {
            throw new InvalidWorkflowException(path + ".args", "expected an array of positional arguments");
        }
        JsonNode kwargs = node.path("kwargs");
        if (!kwargs.isMissingNode() && !kwargs.isNull() && !kwargs.isObject()) {
            throw new InvalidWorkflowException(path + ".kwargs", "expected an object of keyword arguments");
        }
        var mapper = CeleryJson.mapper();
        List<Object> argList = args.isArray() ? mapper.treeToValue(args, List.class) : List.of();
        @SuppressWarnings("unchecked")
        Map<String, Object> kwargMap = kwargs.isObject() ? mapper.treeToValue(kwargs, Map.class) : Map.of();
        Workflow.Step step = Workflow.task(name.stringValue(), argList, kwargMap);
        JsonNode queue = node.path("queue");
        if (!queue.isMissingNode() && !queue.isNull()) {
            if (!queue.isString() || queue.stringValue().isBlank() || queue.stringValue().length() > 255
                    || queue.stringValue().startsWith("amq.")) {
                throw new InvalidWorkflowException(path + ".queue", "expected a queue name of 1 to 255 characters, "
                        + "not starting with amq.");
            }
            checkQueue(path + ".queue", queue.stringValue());
            step = step.queue(queue.stringValue());
        }
        JsonNode immutable = node.path("immutable");
        if (!immutable.isMissingNode() && !immutable.isNull()) {
            if (!immutable.isBoolean()) {
                throw new InvalidWorkflowException(path + ".immutable", "expected true or false");
            }
            if (immutable.booleanValue()) {
                step = step.immutable();
            }
        }
        return step;
    }

    private void checkQueue(String path, @Nullable String queue) {
        String refused = queue == null ? null : queueRefusal.apply(queue);
        if (refused != null) {
            throw new InvalidWorkflowException(path, refused);
        }
    }

    /** Task and queue names reach logs, meter tags and AMQP headers: no line feeds, no escape sequences. */
    static void noControlCharacters(String path, String value) {
        int at = ControlCharacters.indexOf(value);
        if (at >= 0) {
            throw new InvalidWorkflowException(path, "must not contain control characters, got "
                    + String.format("U+%04X", (int) value.charAt(at)) + " at index " + at);
        }
    }

    static String abbreviate(String name) {
        return name.length() > 64 ? name.substring(0, 64) + "..." : name;
    }
}
