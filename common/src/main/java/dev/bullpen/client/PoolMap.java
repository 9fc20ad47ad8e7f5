package dev.bullpen.client;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.Signature;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One task over many inputs, as {@code multiprocessing.Pool.map} and Celery's {@code map},
 * {@code starmap} and {@code chunks}: made by {@link Workflow#map}, {@link Workflow#starmap} and
 * {@link Workflow#chunks}, sent with {@link TaskClient#apply(PoolMap)}, whose {@link MapHandle}
 * gives the results in input order and names a failing item by its index.
 *
 * <p>On the wire it is a group: of ordinary task messages for MAP and STARMAP, of Celery's built-in
 * {@code celery.starmap} tasks (kwargs {@code {"task": signature, "it": [tuples]}}) for CHUNKS, each
 * routed by the task's name, as Celery routes them. In a chain it is followed by a task like any
 * group (they make a chord, whose body gets the results in input order; for CHUNKS one list per
 * chunk, as in Celery).
 *
 * @param kind how the inputs become tasks
 * @param task the task's name
 * @param argTuples each input's positional arguments, in input order (for MAP, a one-element tuple
 *        holding the item)
 * @param chunkSize how many tuples one CHUNKS task runs; 1 for MAP and STARMAP
 * @param queue the queue every task goes to, or {@code null} to route them by the task's name
 */
public record PoolMap(Kind kind, String task, List<ArrayNode> argTuples, int chunkSize, @Nullable String queue)
        implements Workflow {

    /** The three shapes, by what a task of them gets. */
    public enum Kind {
        /** One task per item: {@code task(item)}. */
        MAP,
        /** One task per argument tuple: {@code task(*args)}. */
        STARMAP,
        /** One {@code celery.starmap} task per chunk of tuples: {@code [task(*args) for args in chunk]}. */
        CHUNKS
    }

    /** The built-in task a chunk runs as, Celery's {@code xstarmap}. */
    public static final String STARMAP_TASK = "celery.starmap";

    public PoolMap {
        if (task.isBlank()) {
            throw new IllegalArgumentException("task name must not be blank");
        }
        if (argTuples.isEmpty()) {
            throw new IllegalArgumentException("a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs at least one item");
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("the chunk size must be at least 1, got " + chunkSize);
        }
        if (kind != Kind.CHUNKS && chunkSize != 1) {
            throw new IllegalArgumentException(kind + " runs one task per item: chunk size 1, got " + chunkSize);
        }
        argTuples = List.copyOf(argTuples);
    }

    /** The same map, every task sent to {@code queue}. */
    public PoolMap queue(String queue) {
        return new PoolMap(kind, task, argTuples, chunkSize, queue);
    }

    /** How many inputs. */
    public int size() {
        return argTuples.size();
    }

    /** How many tasks it sends: one per input, or one per chunk. */
    public int tasks() {
        return Chunking.count(argTuples.size(), chunkSize);
    }

    /** The input at {@code index} as the caller gave it: the item for MAP, the argument tuple otherwise. */
    public JsonNode item(int index) {
        ArrayNode tuple = argTuples.get(index);
        return kind == Kind.MAP ? tuple.get(0) : tuple;
    }

    /** The group it is sent as, in input order. */
    public Workflow.Group group() {
        List<Workflow> members = new ArrayList<>(tasks());
        if (kind == Kind.CHUNKS) {
            for (List<ArrayNode> chunk : Chunking.split(argTuples, chunkSize)) {
                members.add(routed(new Workflow.Step(chunkSignature(chunk))));
            }
        } else {
            for (ArrayNode args : argTuples) {
                var mapper = CeleryJson.mapper();
                members.add(routed(new Workflow.Step(new Signature(task, args.deepCopy(), mapper.createObjectNode(),
                        mapper.createObjectNode(), null, false))));
            }
        }
        return new Workflow.Group(members);
    }

    /** Celery's {@code xstarmap(task.s(), chunk)}: immutable, so a chain's previous result is not prepended. */
    private Signature chunkSignature(List<ArrayNode> chunk) {
        var mapper = CeleryJson.mapper();
        ObjectNode kwargs = mapper.createObjectNode();
        kwargs.set("task", Signature.of(task).toJson());
        ArrayNode it = kwargs.putArray("it");
        chunk.forEach(it::add);
        return new Signature(STARMAP_TASK, mapper.createArrayNode(), kwargs, mapper.createObjectNode(), null, true);
    }

    private Workflow.Step routed(Workflow.Step step) {
        return queue == null ? step : step.queue(queue);
    }
}
