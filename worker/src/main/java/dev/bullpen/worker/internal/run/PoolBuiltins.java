package dev.bullpen.worker.internal.run;

import dev.bullpen.client.MapHandle;
import dev.bullpen.client.PoolMap;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.PythonRepr;
import dev.bullpen.protocol.Signature;
import dev.bullpen.protocol.TaskHeaders;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.result.CeleryErrors;
import dev.bullpen.result.RemoteError;
import dev.bullpen.worker.Task;
import dev.bullpen.worker.TaskContext;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Celery's built-in pool tasks (celery/app/builtins.py in 5.2), so that a Python client's
 * {@code add.map(items)}, {@code add.starmap(tuples)} and {@code add.chunks(tuples, n)} run on
 * Bullpen workers: {@code celery.map(task, it)} is {@code [task(item) for item in it]},
 * {@code celery.starmap(task, it)} is {@code [task(*args) for args in it]}, both in this process, in
 * order, stopping at the first that raises; {@code celery.chunks(task, it, n)} sends the chunks as a
 * group of {@code celery.starmap} tasks and returns the group. As in Celery, only the signature's
 * task name counts: its own args and kwargs are not used.
 */
final class PoolBuiltins {

    private final TaskRegistry registry;
    private final @Nullable TaskClient client;

    private PoolBuiltins(TaskRegistry registry, @Nullable TaskClient client) {
        this.registry = registry;
        this.client = client;
    }

    /** Registers the built-ins; {@code client} sends what {@code celery.chunks} starts ({@code null}: it fails). */
    static void register(TaskRegistry registry, @Nullable TaskClient client) {
        PoolBuiltins builtins = new PoolBuiltins(registry, client);
        for (Method method : PoolBuiltins.class.getDeclaredMethods()) {
            Task task = method.getAnnotation(Task.class);
            if (task != null) {
                registry.registerBuiltin(task.value(), builtins, method);
            }
        }
    }

    @Task(value = "celery.map", maxRetries = 0)
    List<JsonNode> map(JsonNode task, List<JsonNode> it, TaskContext context) {
        TaskMethod method = resolve(task);
        List<JsonNode> out = new ArrayList<>(it.size());
        for (int i = 0; i < it.size(); i++) {
            out.add(call(method, CeleryJson.mapper().createArrayNode().add(it.get(i)), i, context));
        }
        return out;
    }

    @Task(value = "celery.starmap", maxRetries = 0)
    List<JsonNode> starmap(JsonNode task, List<JsonNode> it, TaskContext context) {
        TaskMethod method = resolve(task);
        List<JsonNode> out = new ArrayList<>(it.size());
        for (int i = 0; i < it.size(); i++) {
            if (!(it.get(i) instanceof ArrayNode args)) {
                throw new ItemFailed(typeError(method.name() + "() argument after * must be an iterable, not "
                        + PythonRepr.of(it.get(i))), i);
            }
            out.add(call(method, args, i, context));
        }
        return out;
    }

    /** Celery's {@code chunks.apply_chunks}: returns the group it sent as {@code GroupResult.as_tuple()}. */
    @Task(value = "celery.chunks", maxRetries = 0)
    JsonNode chunks(JsonNode task, List<JsonNode> it, int n, TaskContext context) {
        TaskMethod method = resolve(task);
        if (n < 1) {
            throw new ItemFailed(CeleryErrors.valueError("the chunk size must be at least 1, got " + n), null);
        }
        if (client == null) {
            throw new IllegalStateException("celery.chunks needs a worker that sends canvas (a TaskClient bean)");
        }
        List<ArrayNode> tuples = new ArrayList<>(it.size());
        for (int i = 0; i < it.size(); i++) {
            if (!(it.get(i) instanceof ArrayNode args)) {
                throw new ItemFailed(typeError("item " + i + " of celery.chunks is not an argument list"), i);
            }
            tuples.add(args);
        }
        JsonNode queue = Signature.fromJson(task).option("queue");
        PoolMap map = new PoolMap(PoolMap.Kind.CHUNKS, method.name(), tuples, n, queue.isString() ? queue.stringValue() : null);
        MapHandle sent = client.apply(map);
        ArrayNode tuple = CeleryJson.mapper().createArrayNode();
        tuple.addArray().add(sent.id()).addNull();
        ArrayNode members = tuple.addArray();
        for (TaskHandle member : sent.tasks()) {
            ArrayNode m = members.addArray();
            m.addArray().add(member.id()).addNull();
            m.addNull();
        }
        return tuple;
    }

    /** Celery's {@code signature(task).type}: the registered task, or {@code NotRegistered}. */
    private TaskMethod resolve(JsonNode task) {
        JsonNode name = task.isString() ? task : task.path("task");
        TaskMethod method = name.isString() ? registry.find(name.stringValue()) : null;
        if (method == null) {
            throw new ItemFailed(CeleryErrors.notRegistered(name.isString() ? name.stringValue() : String.valueOf(task)),
                    null);
        }
        return method;
    }

    /** Runs one item in this process, on the built-in's thread, under its time limits (Celery's {@code task(*args)}). */
    // NullAway misreads the record's Map<String, @Nullable Object> component as it comes from the
    // class file of another module, and reports the header map passed through unchanged.
    @SuppressWarnings("NullAway")
    private static JsonNode call(TaskMethod method, ArrayNode args, int index, TaskContext context) {
        Invocation outer = (Invocation) context;
        TaskMessage message = outer.message();
        TaskHeaders h = message.headers();
        TaskHeaders headers = new TaskHeaders(h.lang(), method.name(), h.id(), h.shadow(), h.eta(), h.expires(), h.group(),
                h.groupIndex(), h.retries(), h.timeLimit(), h.rootId(), h.parentId(), null, null, h.origin(),
                h.ignoreResult(), h.extra());
        TaskMessage item = new TaskMessage(headers, args, CeleryJson.mapper().createObjectNode(),
                dev.bullpen.protocol.Embed.NONE, message.properties());
        Object value;
        try {
            value = method.invoke(new Invocation(item, outer.queue(), outer.workerName(), outer.attempt()));
        } catch (RetryRequest retry) {
            // Celery's retry() of a task called directly raises its cause (or Retry) there and then.
            throw failed(retry.getCause() != null ? retry.getCause() : retry, method, args, index, outer);
        } catch (Throwable ex) {
            if (ex instanceof VirtualMachineError vm) {
                throw vm;
            }
            throw failed(ex, method, args, index, outer);
        }
        try {
            return CeleryJson.mapper().valueToTree(value);
        } catch (JacksonException ex) {
            throw failed(new IllegalStateException("the return value cannot be converted to JSON: "
                    + ex.getOriginalMessage(), ex), method, args, index, outer);
        }
    }

    private static ItemFailed failed(Throwable ex, TaskMethod method, ArrayNode args, int index, Invocation outer) {
        Throwable error = outer.attempt() != null ? outer.attempt().softened(ex) : ex;
        if (error instanceof InterruptedException) {
            Thread.currentThread().interrupt(); // a stop of the whole run, which the run then reports
        }
        RemoteError remote = error instanceof RetryRequest
                ? CeleryErrors.retry("Task can be retried")
                : TaskRunner.errorOf(error);
        String where = "item " + index + " of " + outer.task() + ", " + method.name() + PythonRepr.ofArgs(args)
                + ", raised:\n";
        return new ItemFailed(new RemoteError(remote.type(), remote.module(), remote.arguments(),
                where + (remote.traceback() == null ? "" : remote.traceback())), index);
    }

    private static RemoteError typeError(String message) {
        return CeleryErrors.typeError(message, null);
    }

    private static JsonNode text(String value) {
        return CeleryJson.mapper().getNodeFactory().stringNode(value);
    }
}
