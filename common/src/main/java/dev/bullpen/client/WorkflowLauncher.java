package dev.bullpen.client;

import dev.bullpen.client.internal.SignatureMessages;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.Signature;
import dev.bullpen.result.ResultBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends workflows as a Celery client does: every task, group and chord body gets its id first
 * ({@code freeze}), so the handles are known before anything runs; a chain's group followed by a
 * task becomes a chord, and what follows a chord in a chain becomes its body's link. Each task is
 * routed by this client ({@code options.queue}), wherever the worker that sends it runs. A group's
 * member ids are saved before its members are sent, so it can be read back at once.
 */
final class WorkflowLauncher {

    /**
     * A workflow with its ids: the signature to send, the id whose result is the workflow's (a
     * group's own id for a group), and a group's or chord header's member result ids.
     */
    record Frozen(Signature signature, String resultId, List<String> memberIds) {
    }

    private final CanvasSender sender;
    private final ResultBackend results;
    private final TaskClientSettings settings;

    WorkflowLauncher(TaskClient client, ResultBackend results, TaskClientSettings settings) {
        this.sender = new CanvasSender(client, results);
        this.results = results;
        this.settings = settings;
    }

    Frozen send(Workflow workflow) {
        Frozen frozen = freeze(workflow);
        if (workflow instanceof Workflow.Group || workflow instanceof PoolMap) {
            results.saveGroup(frozen.resultId(), frozen.memberIds());
        }
        List<CompletableFuture<?>> sent = new ArrayList<>();
        sender.send(frozen.signature(), List.of(), null, null, null, sent);
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                    .get(settings.confirmTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            throw new TaskPublishException("the broker did not confirm the workflow's " + sent.size()
                    + " messages within " + settings.confirmTimeout());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new TaskPublishException("interrupted while waiting for the broker's confirms", ex);
        } catch (ExecutionException ex) {
            Throwable cause = ex.getCause() == null ? ex : ex.getCause();
            throw new TaskPublishException("could not send the workflow: " + cause.getMessage(), cause);
        }
        return frozen;
    }

    private Frozen freeze(Workflow workflow) {
        return switch (workflow) {
            case Workflow.Step step -> {
                Signature s = step.signature();
                if (s.taskId() == null) {
                    s = s.withOption("task_id", UUID.randomUUID().toString());
                }
                s = routed(s);
                yield new Frozen(s, Objects.requireNonNull(s.taskId(), "set above"), List.of());
            }
            case Workflow.Group group -> {
                String id = UUID.randomUUID().toString();
                ArrayNode tasks = CeleryJson.mapper().createArrayNode();
                List<String> memberIds = new ArrayList<>();
                for (Workflow member : group.members()) {
                    Frozen f = freeze(member);
                    tasks.add(f.signature().toJson());
                    memberIds.add(f.resultId());
                }
                ObjectNode kwargs = CeleryJson.mapper().createObjectNode();
                kwargs.set("tasks", tasks);
                yield new Frozen(complex("celery.group", kwargs, id, "group"), id, memberIds);
            }
            case PoolMap pool -> freeze(pool.group());
            case Workflow.Chord chord -> chord(chord, null);
            case Workflow.Chain chain -> chain(chain);
        };
    }

    /**
     * The signature and its links with the queue this client routes them to: a Python worker sending
     * the next step would otherwise route it by its own configuration, to its default queue.
     */
    private Signature routed(Signature signature) {
        Signature s = signature;
        if (!s.option("queue").isString()) {
            // celery.map/starmap/chunks go where their task goes, as Celery's route_name sends them.
            s = s.withOption("queue", settings.queueFor(SignatureMessages.routeName(s), TaskOptions.defaults()));
        }
        for (String option : List.of("link", "link_error")) {
            if (s.option(option).isArray()) {
                ArrayNode links = CeleryJson.mapper().createArrayNode();
                s.option(option).forEach(link -> links.add(routed(Signature.fromJson(link)).toJson()));
                s = s.withOption(option, links);
            }
        }
        return s;
    }

    private Frozen chord(Workflow.Chord chord, Workflow.@Nullable Chain tail) {
        Frozen header = freeze(chord.header());
        Frozen body = freeze(chord.body());
        Signature bodySignature = body.signature();
        String resultId = body.resultId();
        if (tail != null) {
            Frozen rest = chain(tail);
            ArrayNode link = CeleryJson.mapper().createArrayNode().add(rest.signature().toJson());
            bodySignature = bodySignature.withOption("link", link);
            resultId = rest.resultId();
        }
        ObjectNode kwargs = CeleryJson.mapper().createObjectNode();
        kwargs.set("header", header.signature().kwargs().get("tasks"));
        kwargs.set("body", bodySignature.toJson());
        kwargs.putObject("kwargs");
        return new Frozen(complex("celery.chord", kwargs, header.resultId(), "chord"), resultId, header.memberIds());
    }

    private Frozen chain(Workflow.Chain chain) {
        List<Workflow> steps = new ArrayList<>();
        for (Workflow given : chain.steps()) {
            Workflow step = given instanceof PoolMap pool ? pool.group() : given;
            if (step instanceof Workflow.Chain nested) {
                steps.addAll(nested.steps());
            } else if (!steps.isEmpty() && steps.getLast() instanceof Workflow.Group group) {
                if (!(step instanceof Workflow.Step body)) {
                    throw new IllegalArgumentException("in a chain, a group must be followed by a task (they make a chord)");
                }
                steps.set(steps.size() - 1, new Workflow.Chord(group, body)); // as Celery upgrades it
            } else {
                steps.add(step);
            }
        }
        ArrayNode tasks = CeleryJson.mapper().createArrayNode();
        @Nullable String resultId = null;
        for (int i = 0; i < steps.size(); i++) {
            Frozen f;
            if (steps.get(i) instanceof Workflow.Chord chord && i < steps.size() - 1) {
                // The rest of the chain runs as the body's link: a chord body carries no chain of its own.
                f = chord(chord, new Workflow.Chain(steps.subList(i + 1, steps.size())));
                tasks.add(f.signature().toJson());
                resultId = f.resultId();
                break;
            }
            f = freeze(steps.get(i));
            tasks.add(f.signature().toJson());
            resultId = f.resultId();
        }
        ObjectNode kwargs = CeleryJson.mapper().createObjectNode();
        kwargs.set("tasks", tasks);
        // A chain has at least one step (Workflow.Chain checks), so the loop set it.
        return new Frozen(complex("celery.chain", kwargs, null, "chain"), Objects.requireNonNull(resultId), List.of());
    }

    private static Signature complex(String task, ObjectNode kwargs, @Nullable String id, String type) {
        ObjectNode options = CeleryJson.mapper().createObjectNode();
        if (id != null) {
            options.put("task_id", id);
        }
        return new Signature(task, CeleryJson.mapper().createArrayNode(), kwargs, options, type, false);
    }
}
