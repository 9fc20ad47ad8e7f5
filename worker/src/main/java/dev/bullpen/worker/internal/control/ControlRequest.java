package dev.bullpen.worker.internal.control;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.MalformedMessageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One remote-control message from Celery's mailbox (kombu's pidbox):
 * {@code {method, arguments, destination, pattern, matcher, ticket, reply_to}}.
 *
 * @param method the command, e.g. {@code ping} or {@code revoke}
 * @param arguments the command's keyword arguments
 * @param destination the node names it is for; null or empty means every node
 * @param pattern with {@code matcher}, the node names it is for when there is no destination
 * @param matcher {@code glob} or {@code pcre}
 * @param ticket what the reply must carry in its {@code ticket} header, so the caller can match it
 * @param replyTo where to send the reply; null when the caller waits for none (a cast)
 */
record ControlRequest(String method, ObjectNode arguments, @Nullable List<String> destination, @Nullable String pattern,
        @Nullable String matcher, @Nullable String ticket, @Nullable ReplyTo replyTo) {

    /** The direct exchange and routing key of the caller's reply queue. */
    record ReplyTo(String exchange, String routingKey) {
    }

    /** Reads a JSON request body; a body that is not one is a {@link MalformedMessageException} saying why. */
    static ControlRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = CeleryJson.mapper().readTree(body);
        } catch (JacksonException ex) {
            throw new MalformedMessageException("control message is not JSON: " + ex.getOriginalMessage(), ex);
        }
        if (!(root instanceof ObjectNode request)) {
            throw new MalformedMessageException("control message is not a JSON object");
        }
        if (!request.path("method").isString()) {
            throw new MalformedMessageException("control message has no method");
        }
        JsonNode arguments = request.path("arguments");
        ObjectNode args = arguments instanceof ObjectNode object ? object : CeleryJson.mapper().createObjectNode();
        if (!arguments.isMissingNode() && !arguments.isNull() && !arguments.isObject()) {
            throw new MalformedMessageException("control message arguments are not an object: " + arguments);
        }
        JsonNode reply = request.path("reply_to");
        ReplyTo replyTo = null;
        if (reply.isObject()) {
            if (!reply.path("exchange").isString() || !reply.path("routing_key").isString()) {
                throw new MalformedMessageException("control message reply_to lacks exchange or routing_key: " + reply);
            }
            replyTo = new ReplyTo(reply.get("exchange").stringValue(), reply.get("routing_key").stringValue());
        }
        return new ControlRequest(request.get("method").stringValue(), args, names(request.path("destination")),
                text(request.path("pattern")), text(request.path("matcher")), text(request.path("ticket")), replyTo);
    }

    /**
     * Whether {@code node} is to act on it, as kombu's {@code Node.handle_message} decides: named in
     * the destination; else matching the pattern; else everyone.
     */
    boolean isFor(String node) {
        if (destination != null && !destination.isEmpty()) {
            return destination.contains(node);
        }
        if (pattern != null && !pattern.isEmpty() && matcher != null && !matcher.isEmpty()) {
            return matches(node, pattern, matcher);
        }
        return true;
    }

    /** kombu's matchers: {@code glob} is Python's {@code fnmatch}, {@code pcre} is {@code re.match} (anchored at the start). */
    private static boolean matches(String node, String pattern, String matcher) {
        try {
            return switch (matcher) {
                case "glob" -> Pattern.compile(globToRegex(pattern)).matcher(node).matches();
                case "pcre" -> Pattern.compile(pattern).matcher(node).lookingAt();
                default -> false; // a matcher kombu does not have either: no node is meant
            };
        } catch (PatternSyntaxException ex) {
            return false;
        }
    }

    /** Python's {@code fnmatch.translate}: {@code *}, {@code ?}, {@code [seq]} and {@code [!seq]}. */
    static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        regex.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, close);
                        regex.append('[').append(set.startsWith("!") ? "^" + set.substring(1) : set.replace("\\", "\\\\"))
                                .append(']');
                        i = close;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    private static @Nullable List<String> names(JsonNode node) {
        if (node.isString()) {
            return List.of(node.stringValue());
        }
        if (!node.isArray()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        node.forEach(name -> names.add(name.asString()));
        return List.copyOf(names);
    }

    private static @Nullable String text(JsonNode node) {
        return node.isString() ? node.stringValue() : null;
    }
}
