package dev.bullpen.client;

import dev.bullpen.client.internal.SignatureMessages;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.Signature;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.result.ResultBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Sends a signature as Celery's {@code apply_async} does: a task becomes one message; a chain
 * ({@code celery.chain}) its first task carrying the rest, reversed, in {@code embed.chain}; a group
 * ({@code celery.group}) one message per member with the {@code group} header; a chord
 * ({@code celery.chord}) records its header size ({@code set_chord_size}) and sends each header task
 * with {@code group}, {@code group_index} and the body in {@code embed.chord}. Used by clients
 * starting workflows and by workers sending what follows a task.
 */
public final class CanvasSender {

    /** Options of a chain that belong to its last task, as Celery's {@code chain.freeze} puts them. */
    private static final List<String> TAIL_OPTIONS = List.of("group_id", "group_index", "chord");

    private final TaskClient client;
    private final ResultBackend results;

    public CanvasSender(TaskClient client, ResultBackend results) {
        this.client = client;
        this.results = results;
    }

    /**
     * Sends {@code signature}, adding each publish's confirm to {@code sent}.
     *
     * @param partialArgs arguments to put first, e.g. the parent's result (not for immutable signatures)
     * @param chain the rest of a chain to carry, reversed, or {@code null}
     * @param parentId the calling task, or {@code null}
     * @param rootId the workflow's first task, or {@code null}
     */
    public void send(Signature signature, List<JsonNode> partialArgs, @Nullable List<Signature> chain,
            @Nullable String parentId, @Nullable String rootId, List<CompletableFuture<?>> sent) {
        String type = signature.subtaskType();
        if (type == null) {
            TaskMessage message = SignatureMessages.message(signature, partialArgs, chain, parentId, rootId);
            String queue = SignatureMessages.queue(signature);
            sent.add(client.sendAsync(message, queue != null ? queue
                    : client.queueFor(SignatureMessages.routeName(signature), TaskOptions.defaults())));
            return;
        }
        List<JsonNode> args = signature.immutable() ? List.of() : partialArgs;
        switch (type) {
            case "chain" -> {
                List<Signature> steps = signatures(signature.kwargs().path("tasks"));
                if (steps.isEmpty()) {
                    return;
                }
                Signature last = steps.getLast();
                for (String option : TAIL_OPTIONS) {
                    if (!signature.option(option).isMissingNode() && last.option(option).isMissingNode()) {
                        last = last.withOption(option, signature.option(option));
                    }
                }
                steps.set(steps.size() - 1, last);
                List<Signature> rest = new ArrayList<>(steps.subList(1, steps.size()).reversed());
                if (chain != null) {
                    rest.addAll(0, chain);
                }
                send(steps.getFirst(), args, rest, parentId, rootId, sent);
            }
            case "group" -> {
                String groupId = signature.taskId() != null ? signature.taskId() : UUID.randomUUID().toString();
                for (Signature member : signatures(signature.kwargs().path("tasks"))) {
                    send(member.option("group_id").isString() ? member : member.withOption("group_id", groupId),
                            args, null, parentId, rootId, sent);
                }
            }
            case "chord" -> {
                JsonNode header = signature.kwargs().path("header");
                List<Signature> members = signatures(header.isObject() ? header.path("kwargs").path("tasks") : header);
                Signature body = Signature.fromJson(signature.kwargs().path("body"));
                if (body.taskId() == null) {
                    body = body.withOption("task_id", UUID.randomUUID().toString());
                }
                String groupId = signature.taskId() != null ? signature.taskId() : UUID.randomUUID().toString();
                if (members.isEmpty()) {
                    // Celery calls the body at once with an empty list.
                    send(body, List.of(CeleryJson.mapper().createArrayNode()), null, parentId, rootId, sent);
                    return;
                }
                results.setChordSize(groupId, members.size());
                for (int i = 0; i < members.size(); i++) {
                    send(members.get(i).withOption("group_id", groupId)
                            .withOption("group_index", CeleryJson.mapper().getNodeFactory().numberNode(i))
                            .withOption("chord", body.toJson()), args, null, parentId, rootId, sent);
                }
            }
            default -> throw new IllegalArgumentException("cannot send a signature of subtask_type '" + type + "'");
        }
    }

    private static List<Signature> signatures(JsonNode node) {
        List<Signature> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(s -> out.add(Signature.fromJson(s)));
        }
        return out;
    }
}
