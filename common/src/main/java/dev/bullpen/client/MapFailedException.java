package dev.bullpen.client;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An input of a pool map failed: a {@link TaskFailedException} that also names the input's index
 * and the input itself, as {@code multiprocessing}'s {@code Pool.map} users expect to find them.
 */
public class MapFailedException extends TaskFailedException {

    private final MapFailure failure;

    public MapFailedException(MapFailure failure) {
        super(failure.taskId(), failure.state(), failure.error(), "item " + failure.index()
                + (failure.item() == null ? "" : " (" + abbreviate(failure.item()) + ")") + " failed in task ");
        this.failure = failure;
    }

    /** The failed input's position, from 0. */
    public int index() {
        return failure.index();
    }

    /** The failed input, or {@code null} when the worker did not say which tuple of its chunk failed. */
    public @Nullable JsonNode item() {
        return failure.item();
    }

    public MapFailure failure() {
        return failure;
    }

    private static String abbreviate(JsonNode item) {
        String text = item.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
