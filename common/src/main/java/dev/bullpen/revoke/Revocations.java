package dev.bullpen.revoke;

import java.util.function.Consumer;

/**
 * Revoked task ids, shared by every client and worker. Clients {@link #revoke} ids; workers
 * {@link #watch} the set, keep a copy of it in memory and ask {@link #isRevoked} for every task they
 * receive, which then costs no round trip. A revocation is forgotten after the implementation's time
 * to live.
 *
 * <p>Implementations must pass {@code RevocationsContract} in the test fixtures.
 */
public interface Revocations extends AutoCloseable {

    /**
     * Revokes a task: stores it durably and tells every watcher. With {@code terminate}, a worker
     * running the task now interrupts it; without, only runs that have not started are stopped.
     * Revoking an id again renews it; {@code terminate}, once asked for, stays.
     */
    void revoke(String taskId, boolean terminate);

    /** Whether the task is revoked. Answers from memory once {@link #watch watching}. */
    boolean isRevoked(String taskId);

    /**
     * Starts keeping the set in memory: subscribes to new revocations first, then loads the stored
     * ones, so none is missed in between; after a lost connection it subscribes and loads again.
     * Returns once the stored ones are loaded. {@code listener} is called once for each revocation
     * this instance had not seen (loaded or new, and again when one is upgraded to terminate), on a
     * thread it must not block.
     */
    void watch(Consumer<Revocation> listener);

    @Override
    void close();
}
