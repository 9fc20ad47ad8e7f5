package dev.bullpen.result;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Where workers store task results and clients read them, keyed by task id.
 *
 * <p>Implementations must pass {@code ResultBackendContract} in the test fixtures.
 */
public interface ResultBackend extends AutoCloseable {

    /**
     * Stores a result and wakes whoever waits on it, unless the state stored for that id may not
     * move to the new one ({@link TaskState#canMoveTo}): then the write is ignored, atomically, and
     * the stored result stays as it was. So a SUCCESS is final, and a FAILURE or REVOKED is not
     * replaced by a late STARTED or RETRY from a duplicate or redelivered message.
     *
     * @return false when the write was ignored because the stored state may not move to the new one
     * @throws ResultTooLargeException when the encoded result is larger than the backend stores;
     *         nothing was stored, and storing it again cannot succeed
     */
    boolean store(TaskResult result);

    /** The stored result, or {@link TaskResult#pending} when there is none. */
    TaskResult get(String taskId);

    /** The stored results of many tasks, in the order asked; one round trip where the backend allows. */
    default List<TaskResult> getAll(List<String> taskIds) {
        return taskIds.stream().map(this::get).toList();
    }

    /**
     * Completes with the result once the task is ready ({@link TaskState#isReady()}), without polling.
     * Completes at once when it is ready already. Cancel the future to stop waiting.
     */
    CompletableFuture<TaskResult> whenReady(String taskId);

    /**
     * A hint that task {@code taskId} is about to be sent and will likely be waited for: a backend that
     * is told of results may start listening now, so that a later {@link #whenReady} need not read
     * what was stored meanwhile. Never required for correctness; the default does nothing.
     */
    default void expect(String taskId) {
    }

    /** Removes the stored result. */
    void forget(String taskId);

    /**
     * Saves a group's member ids as Celery's {@code GroupResult.save()} does
     * ({@code celery-taskset-meta-<group>}), so that Python's {@code GroupResult.restore(id)} reads it.
     *
     * @throws UnsupportedOperationException when this backend keeps no groups
     */
    default void saveGroup(String groupId, List<String> memberIds) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep groups");
    }

    /** The member ids of a saved group, in order; empty when no such group was saved. */
    default Optional<List<String>> group(String groupId) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep groups");
    }

    /**
     * Records how many header results a chord waits for (Celery's {@code set_chord_size}); a client
     * calls it before it sends the last header task.
     */
    default void setChordSize(String groupId, int size) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support chords");
    }

    /**
     * Records one header task's final result (Celery's {@code on_chord_part_return}), atomically.
     *
     * @param groupIndex the task's position in the header, or {@code null} to sort it last
     * @param sizeHint the header size to use when none was recorded with {@link #setChordSize}, or 0
     */
    default ChordProgress chordPartReturn(String groupId, @Nullable Integer groupIndex, ChordEntry entry, int sizeHint) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support chords");
    }

    /**
     * Deletes a chord's bookkeeping once its body is sent (or failed). Until then a header task that
     * runs again completes the header again, so a worker stopping in between cannot lose the body.
     */
    default void forgetChord(String groupId) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support chords");
    }

    @Override
    void close();
}
