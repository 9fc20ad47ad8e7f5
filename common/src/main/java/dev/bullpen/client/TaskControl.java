package dev.bullpen.client;

import dev.bullpen.revoke.Revocations;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Celery's remote control from Java, apart from sending tasks: which workers are alive
 * ({@code celery inspect ping}), running a task once on each of them, and revoking a task
 * ({@code app.control.revoke}). Reached through {@link TaskClient#control()}, and works on the
 * client's connection.
 *
 * <pre>{@code
 * List<String> workers = client.control().liveWorkers();
 * client.control().revoke(handle.id(), true);
 * }</pre>
 *
 * <p>Thread-safe, as its client is.
 */
public final class TaskControl {

    /** How long {@link #liveWorkers()} and {@link #broadcast} wait for the workers' pongs: Celery's broadcast timeout. */
    public static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

    private final Broadcasts broadcasts;
    private final RevokeBroadcast revokeBroadcast;
    private final @Nullable Revocations revocations;

    TaskControl(Broadcasts broadcasts, RevokeBroadcast revokeBroadcast, @Nullable Revocations revocations) {
        this.broadcasts = broadcasts;
        this.revokeBroadcast = revokeBroadcast;
        this.revocations = revocations;
    }

    /**
     * The node names of the workers running now, Bullpen and Python Celery alike, as
     * {@code celery inspect ping} finds them: those that answer a ping within {@link #PING_TIMEOUT}.
     * Takes the whole timeout. A worker killed a moment ago is not among them.
     */
    public List<String> liveWorkers() {
        return liveWorkers(PING_TIMEOUT);
    }

    /** The workers that answer a ping within {@code timeout}, sorted by name; takes the whole timeout. */
    public List<String> liveWorkers(Duration timeout) {
        return broadcasts.liveWorkers(timeout, null);
    }

    /**
     * The workers whose node name matches a glob ({@code *}, {@code ?}, {@code [...]}; e.g.
     * {@code "*@host-1"}) and that answer a ping within {@code timeout}, sorted; as Celery's
     * {@code inspect(pattern=..., matcher="glob").ping()}.
     */
    public List<String> liveWorkers(Duration timeout, @Nullable String pattern) {
        return broadcasts.liveWorkers(timeout, pattern);
    }

    /** Runs a task once on every live worker ({@link #liveWorkers()}); see {@link #broadcast(String, List, Map, TaskOptions, Collection)}. */
    public BroadcastHandle broadcast(String task, List<?> args) {
        return broadcast(task, args, Map.of(), TaskOptions.defaults());
    }

    /** Runs a task once on every live worker ({@link #liveWorkers()}), with options. */
    public BroadcastHandle broadcast(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options) {
        return broadcast(task, args, kwargs, options, liveWorkers());
    }

    /**
     * Sends one copy of a task to each worker's direct queue ({@link TaskOptions#worker}), each with its
     * own task id, and waits for the broker's confirms. A copy the broker does not take (e.g. for a
     * Python Celery worker started without {@code worker_direct}) is in the handle's failures; the
     * others are sent all the same.
     *
     * @param options any but queue, worker and task id, which the broadcast sets for each copy
     * @param workers the node names to run it on
     */
    public BroadcastHandle broadcast(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options,
            Collection<String> workers) {
        return broadcasts.send(task, args, kwargs, options, workers);
    }

    /** A broadcast sent earlier, by its id; empty when none was saved under it. */
    public Optional<BroadcastHandle> broadcast(String broadcastId) {
        return broadcasts.restore(broadcastId);
    }

    /**
     * Revokes a task (Celery's {@code revoke(id)}): a worker that meets it before it starts stores
     * REVOKED ({@code TaskRevokedError("revoked")}) and does not run it. The revocation is kept in
     * Redis for {@code bullpen.revoke.ttl}, so Bullpen workers started later honour it too; it is
     * also broadcast as Celery's remote-control revoke, so Python Celery workers running now honour it.
     */
    public void revoke(String taskId) {
        revoke(taskId, false);
    }

    /**
     * Revokes a task; with {@code terminate}, a worker running it now also interrupts it (a Python
     * Celery worker sends {@code SIGTERM} to the process running it) and stores REVOKED
     * ({@code TaskRevokedError("terminated")}), as Celery's {@code revoke(id, terminate=True)}.
     *
     * <p>Two steps: the revocation is stored in Bullpen's durable revocations (which Bullpen workers
     * read), then broadcast on Celery's {@code celery.pidbox} exchange, as
     * {@code app.control.revoke} does, for Python Celery workers, which keep theirs in memory only:
     * one started after the broadcast, or restarted, does not know of it.
     *
     * @throws IllegalStateException when this client was made without revocations
     * @throws TaskPublishException when the revocation is stored but the broadcast did not reach the
     *         broker: Bullpen workers honour it, Python Celery workers did not hear it; revoking
     *         again is harmless
     */
    public void revoke(String taskId, boolean terminate) {
        if (revocations == null) {
            throw new IllegalStateException("this TaskClient was created without Revocations; give it RedisRevocations "
                    + "(TaskClient.builder(...).revocations(...)); the auto-configured client has them");
        }
        if (taskId.isBlank()) {
            throw new IllegalArgumentException("task id must not be blank");
        }
        revocations.revoke(taskId, terminate);
        try {
            revokeBroadcast.send(taskId, terminate);
        } catch (TaskPublishException ex) {
            throw new TaskPublishException("task " + taskId + " is revoked for Bullpen workers, but Celery's remote-control "
                    + "broadcast did not reach the broker, so Python Celery workers did not hear it: " + ex.getMessage(), ex);
        }
    }
}
