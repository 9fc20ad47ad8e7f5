package dev.bullpen.protocol;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The third element of a protocol v2 body: what runs after the task.
 *
 * @param callbacks signatures to call with the result on success ({@code link})
 * @param errbacks signatures to call on failure ({@code link_error})
 * @param chain the rest of a chain, stored <em>reversed</em>: the next task is the last element
 * @param chord the chord body to call when this task's group completes
 */
public record Embed(@Nullable List<Signature> callbacks, @Nullable List<Signature> errbacks,
        @Nullable List<Signature> chain, @Nullable Signature chord) {

    /** Nothing runs after the task. */
    public static final Embed NONE = new Embed(null, null, null, null);
}
