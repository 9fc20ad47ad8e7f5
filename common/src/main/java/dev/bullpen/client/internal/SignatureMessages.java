package dev.bullpen.client.internal;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.Embed;
import dev.bullpen.protocol.Signature;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TimeLimit;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Turns a signature into the message Celery's {@code Signature.apply_async(args, chain=...)} sends:
 * the partial args first (unless the signature is immutable), then its own; its options give the
 * task id, group, group index, chord body, links, priority, countdown and time limits.
 */
public final class SignatureMessages {

    private SignatureMessages() {
    }

    /**
     * @param partialArgs arguments to put before the signature's own, e.g. the parent's result
     * @param chain the rest of a chain, reversed (the next task last), or {@code null}
     * @param parentId the task that calls this one, or {@code null}
     * @param rootId the first task of the workflow, or {@code null} for this one
     */
    public static TaskMessage message(Signature signature, List<JsonNode> partialArgs, @Nullable List<Signature> chain,
            @Nullable String parentId, @Nullable String rootId) {
        ArrayNode args = CeleryJson.mapper().createArrayNode();
        if (!signature.immutable()) {
            partialArgs.forEach(args::add);
        }
        args.addAll(signature.args());
        String id = signature.taskId() != null ? signature.taskId() : UUID.randomUUID().toString();
        JsonNode chord = signature.option("chord");
        Embed embed = new Embed(signatures(signature.option("link")), signatures(signature.option("link_error")),
                chain == null || chain.isEmpty() ? null : List.copyOf(chain),
                chord.isObject() ? Signature.fromJson(chord) : null);
        JsonNode countdown = signature.option("countdown");
        JsonNode groupIndex = signature.option("group_index");
        return TaskMessageBuilder.of(signature.task(), id)
                .args(args)
                .kwargs(signature.kwargs())
                .embed(embed)
                .group(text(signature.option("group_id")), groupIndex.isNumber() ? groupIndex.asInt() : null)
                .parentId(parentId)
                .rootId(rootId)
                .priority(signature.option("priority").asInt(0))
                .eta(countdown.isNumber() ? OffsetDateTime.now(ZoneOffset.UTC)
                        .plus(Duration.ofMillis((long) (countdown.asDouble() * 1000))) : null)
                .timeLimit(new TimeLimit(number(signature.option("time_limit")), number(signature.option("soft_time_limit"))))
                .ignoreResult(signature.option("ignore_result").asBoolean(false))
                .replyTo(text(signature.option("reply_to")))
                .build();
    }

    /**
     * The name to route a signature by: its task's, except for Celery's built-ins {@code celery.map},
     * {@code celery.starmap} and {@code celery.chunks}, which go where the task they run goes (Celery
     * sends them with {@code route_name} set to it).
     */
    public static String routeName(Signature signature) {
        return switch (signature.task()) {
            case "celery.map", "celery.starmap", "celery.chunks" -> {
                JsonNode inner = signature.kwargs().path("task");
                JsonNode name = inner.isString() ? inner : inner.path("task");
                yield name.isString() && !name.stringValue().isBlank() ? name.stringValue() : signature.task();
            }
            default -> signature.task();
        };
    }

    /** The queue the signature names ({@code options.queue}), or {@code null} to route it by name. */
    public static @Nullable String queue(Signature signature) {
        return text(signature.option("queue"));
    }

    private static @Nullable List<Signature> signatures(JsonNode node) {
        if (node.isObject()) {
            return List.of(Signature.fromJson(node));
        }
        if (!node.isArray() || node.isEmpty()) {
            return null;
        }
        List<Signature> out = new ArrayList<>(node.size());
        node.forEach(s -> out.add(Signature.fromJson(s)));
        return out;
    }

    private static @Nullable String text(JsonNode node) {
        return node.isString() ? node.stringValue() : null;
    }

    private static @Nullable Double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : null;
    }
}
