package dev.bullpen.client;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Celery canvas to send with {@link TaskClient#apply}: a task, a chain of steps that pass each
 * result on, a group that runs side by side, or a chord whose body gets its header's results.
 * Immutable values; the same workflow may be sent many times (each time with new ids).
 *
 * <pre>{@code
 * TaskHandle ten = client.apply(Workflow.chain(task("demo.add", 1, 2), task("demo.add", 3), task("demo.add", 4)));
 * GroupHandle squares = client.apply(Workflow.group(task("demo.mul", 2, 2), task("demo.mul", 3, 3)));
 * TaskHandle total = client.apply(Workflow.chord(List.of(task("demo.add", 1, 1), task("demo.add", 2, 2)),
 *         task("demo.tsum")));
 * }</pre>
 *
 * A pool map ({@link #map}, {@link #starmap}, {@link #chunks}) runs one task over many inputs, as
 * {@code multiprocessing.Pool.map} does, and its {@link MapHandle} gives the results in input order:
 *
 * <pre>{@code
 * MapHandle squares = client.apply(Workflow.starmap("demo.mul", List.of(List.of(2, 2), List.of(3, 3))));
 * MapHandle sums = client.apply(Workflow.chunks("demo.add", pairs, 10)); // one celery.starmap per 10 pairs
 * }</pre>
 *
 * Messages and Redis keys are Celery's, so Python Celery workers and clients can take part.
 */
public sealed interface Workflow permits Workflow.Step, Workflow.Chain, Workflow.Group, Workflow.Chord, PoolMap {

    /** One task; in a chain, a link or a chord body its parent's result comes first in its args, unless immutable. */
    static Step task(String name, Object... args) {
        return task(name, Arrays.asList(args), Map.of());
    }

    /** One task with keyword arguments. */
    static Step task(String name, List<?> args, Map<String, ?> kwargs) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("task name must not be blank");
        }
        var mapper = CeleryJson.mapper();
        return new Step(new Signature(name, mapper.valueToTree(args) instanceof ArrayNode a ? a : mapper.createArrayNode(),
                mapper.valueToTree(kwargs) instanceof ObjectNode o ? o : mapper.createObjectNode(),
                mapper.createObjectNode(), null, false));
    }

    /**
     * Steps run one after the other, each getting the previous result as its first argument. A group
     * followed by a task becomes a chord, as in Celery.
     */
    static Chain chain(Workflow... steps) {
        return new Chain(List.of(steps));
    }

    /** Steps run one after the other. */
    static Chain chain(List<? extends Workflow> steps) {
        return new Chain(List.copyOf(steps));
    }

    /** Members run side by side: tasks, or chains. */
    static Group group(Workflow... members) {
        return new Group(List.of(members));
    }

    /** Members run side by side: tasks, or chains. */
    static Group group(List<? extends Workflow> members) {
        return new Group(List.copyOf(members));
    }

    /** The header runs side by side; then the body gets the list of its results, in header order. */
    static Chord chord(List<? extends Workflow> header, Step body) {
        return new Chord(group(header), body);
    }

    /** The header group runs; then the body gets the list of its results, in header order. */
    static Chord chord(Group header, Step body) {
        return new Chord(header, body);
    }

    /**
     * One task per item, each called with the item as its only argument: {@code task(item)}. A group
     * of ordinary task messages on the wire.
     *
     * @throws IllegalArgumentException when there are no items
     */
    static PoolMap map(String task, List<?> items) {
        List<ArrayNode> tuples = items.stream().map(i -> tuple(Collections.singletonList(i))).toList(); // items may be null
        return new PoolMap(PoolMap.Kind.MAP, task, tuples, 1, null);
    }

    /**
     * One task per argument tuple, each called with the tuple as its arguments: {@code task(*args)}.
     * A group of ordinary task messages on the wire.
     *
     * @throws IllegalArgumentException when there are no tuples
     */
    static PoolMap starmap(String task, List<? extends List<?>> argTuples) {
        return new PoolMap(PoolMap.Kind.STARMAP, task, argTuples.stream().map(Workflow::tuple).toList(), 1, null);
    }

    /**
     * The argument tuples split into chunks of {@code n} (the last may be shorter), one task per chunk
     * that calls {@code task(*args)} for its tuples in order on one worker: Celery's
     * {@code task.chunks(it, n)}, a group of Celery's built-in {@code celery.starmap} tasks.
     *
     * @throws IllegalArgumentException when {@code n < 1} or there are no tuples
     */
    static PoolMap chunks(String task, List<? extends List<?>> argTuples, int n) {
        return new PoolMap(PoolMap.Kind.CHUNKS, task, argTuples.stream().map(Workflow::tuple).toList(), n, null);
    }

    /** A pool map's tasks run side by side; then the body gets their results in input order (one list per chunk). */
    static Chord chord(PoolMap header, Step body) {
        return new Chord(header.group(), body);
    }

    private static ArrayNode tuple(List<?> args) {
        return CeleryJson.mapper().valueToTree(args) instanceof ArrayNode a ? a : CeleryJson.mapper().createArrayNode();
    }

    /**
     * One task, as a Celery signature.
     *
     * @param signature the task, its arguments and call options
     */
    record Step(Signature signature) implements Workflow {

        /** The same task, not given its parent's result. */
        public Step immutable() {
            return new Step(signature.asImmutable());
        }

        /** The same task, sent to {@code queue} rather than by its route. */
        public Step queue(String queue) {
            return new Step(signature.withOption("queue", queue));
        }

        /** The same task, with {@code errback} called with this task's id if it fails ({@code link_error}). */
        public Step onError(Step errback) {
            return linked("link_error", errback);
        }

        /** The same task, with {@code callback} called with its result when it succeeds ({@code link}). */
        public Step then(Step callback) {
            return linked("link", callback);
        }

        private Step linked(String option, Step other) {
            ArrayNode list = CeleryJson.mapper().createArrayNode();
            if (signature.option(option).isArray()) {
                list.addAll((ArrayNode) signature.option(option));
            }
            list.add(other.signature().toJson());
            return new Step(signature.withOption(option, list));
        }
    }

    /** @param steps run in order, each given the previous result */
    record Chain(List<Workflow> steps) implements Workflow {
        public Chain {
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a chain needs at least one step");
            }
            steps = List.copyOf(steps);
        }
    }

    /** @param members run side by side */
    record Group(List<Workflow> members) implements Workflow {
        public Group {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("a group needs at least one member");
            }
            List<Workflow> flat = new ArrayList<>();
            for (Workflow member : members) {
                if (member instanceof Group nested) {
                    flat.addAll(nested.members()); // Celery flattens a group in a group
                } else if (member instanceof PoolMap pool) {
                    flat.addAll(pool.group().members());
                } else if (member instanceof Chord) {
                    throw new IllegalArgumentException("a chord inside a group is not supported; chain it instead");
                } else {
                    flat.add(member);
                }
            }
            members = List.copyOf(flat);
        }
    }

    /**
     * @param header runs side by side
     * @param body gets the header's results as a list, in header order; fails with {@code ChordError}
     *        as soon as a header task fails
     */
    record Chord(Group header, Step body) implements Workflow {
    }
}
