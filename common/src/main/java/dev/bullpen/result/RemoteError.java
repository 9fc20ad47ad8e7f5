package dev.bullpen.result;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.PythonRepr;

/**
 * An exception raised by a task, in whichever language the worker ran it. Stored in Celery's shape
 * {@code {"exc_type", "exc_message", "exc_module"}} with the traceback beside it.
 *
 * @param type the exception's simple class name, e.g. {@code IllegalArgumentException} or {@code ValueError}
 * @param module the package or Python module, e.g. {@code java.lang} or {@code builtins}
 * @param arguments the exception's arguments ({@code exc.args} in Python; the message in Java)
 * @param traceback the formatted stack trace, or {@code null}
 */
public record RemoteError(String type, @Nullable String module, List<JsonNode> arguments, @Nullable String traceback) {

    public RemoteError {
        arguments = List.copyOf(arguments);
    }

    /** Describes a Java exception the way Celery describes a Python one. */
    public static RemoteError of(Throwable error, @Nullable String traceback) {
        Class<?> type = error.getClass();
        List<JsonNode> args = error.getMessage() == null
                ? List.of()
                : List.of(CeleryJson.mapper().getNodeFactory().stringNode(error.getMessage()));
        return new RemoteError(type.getSimpleName(), type.getPackageName(), args, traceback);
    }

    /**
     * The message as Python's {@code str(exc)} shows it: nothing for no arguments, a single string
     * argument as is, anything else as the repr of the argument or of the argument tuple, e.g.
     * {@code ('bad thing', 42)} for {@code ValueError("bad thing", 42)}.
     */
    public String message() {
        if (arguments.isEmpty()) {
            return "";
        }
        if (arguments.size() == 1) {
            JsonNode only = arguments.getFirst();
            return only.isString() ? only.stringValue() : PythonRepr.of(only);
        }
        ArrayNode args = CeleryJson.mapper().createArrayNode();
        arguments.forEach(args::add);
        return PythonRepr.ofArgs(args);
    }

    ObjectNode toJson() {
        ObjectNode node = CeleryJson.mapper().createObjectNode();
        node.put("exc_type", type);
        ArrayNode args = node.putArray("exc_message");
        arguments.forEach(args::add);
        node.put("exc_module", module);
        return node;
    }

    /** Reads Celery's stored exception {@code {exc_type, exc_message, exc_module}}. */
    public static RemoteError fromJson(JsonNode result, @Nullable String traceback) {
        JsonNode message = result.path("exc_message");
        List<JsonNode> args;
        if (message.isArray()) {
            args = new java.util.ArrayList<>();
            message.forEach(args::add);
        } else if (message.isMissingNode() || message.isNull()) {
            args = List.of();
        } else {
            args = List.of(message);
        }
        JsonNode module = result.path("exc_module");
        return new RemoteError(result.path("exc_type").asString("Exception"),
                module.isString() ? module.stringValue() : null, args, traceback);
    }
}
