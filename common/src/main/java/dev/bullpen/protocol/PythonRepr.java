package dev.bullpen.protocol;

import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Python's {@code repr()} of JSON values, for the {@code argsrepr} and {@code kwargsrepr} headers
 * that Flower and Celery's logs show. Cut at {@value #MAX_LENGTH} characters as Celery's
 * {@code argsrepr_maxsize} does.
 */
final class PythonRepr {

    static final int MAX_LENGTH = 1024;

    private PythonRepr() {
    }

    static String ofArgs(JsonNode args) {
        StringBuilder out = new StringBuilder("(");
        int i = 0;
        for (JsonNode arg : args) {
            if (i++ > 0) {
                out.append(", ");
            }
            append(out, arg);
        }
        if (i == 1) {
            out.append(',');
        }
        return cut(out.append(')'));
    }

    static String ofKwargs(JsonNode kwargs) {
        StringBuilder out = new StringBuilder();
        append(out, kwargs);
        return cut(out);
    }

    private static String cut(StringBuilder out) {
        return out.length() <= MAX_LENGTH ? out.toString() : out.substring(0, MAX_LENGTH - 3) + "...";
    }

    private static void append(StringBuilder out, JsonNode node) {
        if (out.length() > MAX_LENGTH) {
            return;
        }
        if (node.isNull() || node.isMissingNode()) {
            out.append("None");
        } else if (node.isBoolean()) {
            out.append(node.booleanValue() ? "True" : "False");
        } else if (node.isString()) {
            out.append('\'').append(node.stringValue().replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                append(out, node.get(i));
            }
            out.append(']');
        } else if (node.isObject()) {
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
            while (fields.hasNext()) {
                var field = fields.next();
                out.append('\'').append(field.getKey()).append("': ");
                append(out, field.getValue());
                if (fields.hasNext()) {
                    out.append(", ");
                }
            }
            out.append('}');
        } else {
            out.append(node.toString());
        }
    }
}
