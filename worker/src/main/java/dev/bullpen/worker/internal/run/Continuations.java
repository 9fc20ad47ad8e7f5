package dev.bullpen.worker.internal.run;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.CanvasSender;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.PythonRepr;
import dev.bullpen.protocol.Signature;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.result.CeleryErrors;
import dev.bullpen.result.ChordEntry;
import dev.bullpen.result.ChordProgress;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * What runs after a task, as Celery's worker does it (celery/app/trace.py, backends/base.py and
 * redis.py in 5.2): on SUCCESS its links get the result prepended and the next chain step (the last
 * of {@code embed.chain}) is sent with the rest of the chain; on FAILURE the rest of the chain is
 * stored failed too and its errbacks get the task id. A chord header task records its result in
 * Redis; the one that completes the header sends the body with the results in header order, and
 * the first that fails fails the body at once with {@code ChordError} and runs the body's errbacks.
 *
 * <p>It runs after the result is stored and returns only once the broker confirmed everything it
 * sent, so the message is acknowledged only then: a crash in between runs the task again (its
 * stored SUCCESS is kept) rather than losing the rest of the workflow.
 */
final class Continuations {

    private static final Logger log = LoggerFactory.getLogger(Continuations.class);
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private final CanvasSender sender;
    private final ResultBackend results;

    Continuations(TaskClient client, ResultBackend results) {
        this.sender = new CanvasSender(client, results);
        this.results = results;
    }

    /** Sends what follows a task whose final {@code outcome} is stored; waits for the broker's confirms. */
    void after(TaskMessage message, TaskResult outcome) {
        if (!outcome.state().isReady()) {
            return;
        }
        List<CompletableFuture<?>> sent = new ArrayList<>();
        List<String> completed = new ArrayList<>();
        String root = message.headers().rootId() != null ? message.headers().rootId() : message.id();
        var embed = message.embed();
        if (outcome.state() == TaskState.SUCCESS) {
            for (Signature callback : list(embed.callbacks())) {
                apply(callback, List.of(outcome.result()), null, message.id(), root, sent);
            }
            List<Signature> chain = list(embed.chain());
            if (!chain.isEmpty()) {
                apply(chain.getLast(), List.of(outcome.result()), chain.subList(0, chain.size() - 1), message.id(), root, sent);
            }
        } else {
            failChain(list(embed.chain()), outcome, root, sent, completed);
            // As Celery: errbacks on FAILURE only, not for a revoked (or expired) task.
            for (Signature errback : outcome.state() == TaskState.FAILURE ? list(embed.errbacks()) : List.<Signature>of()) {
                apply(errback, List.of(text(message.id())), null, message.id(), root, sent);
            }
        }
        if (message.headers().group() != null && embed.chord() != null) {
            chordPart(message.headers().group(), message.headers().groupIndex(), message.id(), outcome, embed.chord(),
                    root, sent, completed);
        }
        await(sent, message);
        // Only now that the body is sent: a header task that runs again before this completes the chord again.
        completed.forEach(results::forgetChord);
    }

    /** Celery's {@code mark_as_failure}: every later chain step with an id fails the same way, so no one waits on it. */
    private void failChain(List<Signature> chain, TaskResult outcome, String root, List<CompletableFuture<?>> sent,
            List<String> completed) {
        for (Signature step : chain) {
            String id = step.taskId();
            if (id == null) {
                continue;
            }
            TaskResult failed = new TaskResult(id, outcome.state(), outcome.result(), outcome.traceback(),
                    outcome.dateDone(), meta(step));
            results.store(failed);
            JsonNode group = step.option("group_id");
            if (step.option("chord").isObject() && group.isString()) {
                JsonNode index = step.option("group_index");
                chordPart(group.stringValue(), index.isNumber() ? index.asInt() : null, id, failed,
                        Signature.fromJson(step.option("chord")), root, sent, completed);
            }
        }
    }

    private void chordPart(String groupId, @Nullable Integer index, String taskId, TaskResult outcome, Signature body,
            String root, List<CompletableFuture<?>> sent, List<String> completed) {
        ChordProgress progress = results.chordPartReturn(groupId, index,
                new ChordEntry(taskId, outcome.state(), outcome.result()), 0);
        List<ChordEntry> all = progress.complete();
        if (all != null) {
            completed.add(groupId);
        }
        if (progress.firstFailure()) {
            failBody(body, taskId, outcome.result(), root, sent);
            return;
        }
        if (all == null) {
            return;
        }
        ChordEntry failed = all.stream().filter(ChordEntry::failed).findFirst().orElse(null);
        if (failed == null) {
            ArrayNode values = CeleryJson.mapper().createArrayNode();
            all.forEach(e -> values.add(e.result()));
            log.debug("Chord {} complete ({} results): sending {}[{}]", groupId, all.size(), body.task(), body.taskId());
            apply(body, List.of(values), null, taskId, root, sent);
        } else if (!progress.failureHandled()) {
            failBody(body, failed.taskId(), failed.result(), root, sent); // failed on a worker that does not fail fast
        }
    }

    /** Celery's {@code chord_error_from_stack}: the body's errbacks run, and the body is stored FAILURE. */
    private void failBody(Signature body, String memberId, JsonNode memberError, String root,
            List<CompletableFuture<?>> sent) {
        String bodyId = body.taskId() != null ? body.taskId() : UUID.randomUUID().toString();
        String reason = "Dependency " + memberId + " raised " + repr(memberError);
        log.warn("Chord body {}[{}] fails: {}", body.task(), bodyId, reason);
        results.store(TaskResult.failure(bodyId, TaskState.FAILURE,
                CeleryErrors.chordError(reason), meta(body)));
        for (Signature errback : list(body.option("link_error").isObject()
                ? List.of(Signature.fromJson(body.option("link_error"))) : signatures(body.option("link_error")))) {
            apply(errback, List.of(text(bodyId)), null, bodyId, root, sent);
        }
    }

    private void apply(Signature signature, List<JsonNode> partialArgs, @Nullable List<Signature> chain,
            String parentId, String root, List<CompletableFuture<?>> sent) {
        sender.send(signature, partialArgs, chain, parentId, root, sent);
    }

    private void await(List<CompletableFuture<?>> sent, TaskMessage message) {
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                    .get(CONFIRM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new HandBack("interrupted while sending what follows task " + message.id());
        } catch (ExecutionException | TimeoutException ex) {
            throw new IllegalStateException("could not send what follows task " + message.id() + ": " + ex, ex);
        }
    }

    /** Python's repr of the exception a header task raised, e.g. {@code ValueError('boom')}. */
    private static String repr(JsonNode error) {
        if (!error.isObject() || !error.has("exc_type")) {
            return PythonRepr.of(error);
        }
        RemoteError remote = RemoteError.fromJson(error, null);
        List<String> args = new ArrayList<>();
        remote.arguments().forEach(a -> args.add(PythonRepr.of(a)));
        return remote.type() + "(" + String.join(", ", args) + ")";
    }

    private static ResultMeta meta(Signature signature) {
        return new ResultMeta(signature.task(), signature.args(), signature.kwargs(), null, 0, null, null,
                signature.option("group_id").isString() ? signature.option("group_id").stringValue() : null);
    }

    private static List<Signature> signatures(JsonNode node) {
        List<Signature> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(s -> out.add(Signature.fromJson(s)));
        }
        return out;
    }

    private static <T> List<T> list(@Nullable List<T> items) {
        return items == null ? List.of() : items;
    }

    private static JsonNode text(String value) {
        return CeleryJson.mapper().getNodeFactory().stringNode(value);
    }
}
