package dev.bullpen.worker;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code bullpen.worker.*}: what a worker consumes and how much it runs at once.
 *
 * @param queues the queues to consume; each is declared as Celery declares it if missing, or with the
 *        arguments {@code bullpen.queues} gives it (checked against the queue's, if it exists)
 * @param concurrency how many tasks run at once, each on its own virtual thread
 * @param prefetch how many unacknowledged messages the broker may hand this worker per queue;
 *        defaults to twice the concurrency so the next task is already here when a slot frees, within
 *        half the heap in bodies of {@code max-message-bytes} but never under the concurrency
 *        (see {@link #effectivePrefetch()})
 * @param trackStarted store the STARTED state when a task begins (Celery's {@code task_track_started})
 * @param name this worker's node name, {@code bullpen@<host>} by default
 * @param shutdownTimeout how long a stopping worker lets running tasks finish before handing them back
 * @param heartbeatInterval how often the worker sends Celery's {@code worker-heartbeat} event (Celery: 2 s)
 * @param rateLimits rate limits by task name, overriding {@code @Task(rateLimit)}: e.g.
 *        {@code bullpen.worker.rate-limits[images.resize]=10/s}; {@code 0} switches a limit off
 * @param resultRetryTimeout how long a result write that fails (Redis unreachable) is retried, with
 *        backoff, before the message goes back to the broker to run again; the message stays
 *        unacknowledged meanwhile
 * @param directQueue also consume this worker's own queue, Celery's {@code worker_direct}: {@code <name>.dq2},
 *        bound to the direct exchange {@code C.dq2} with routing key {@code <name>}, so a task can be sent to
 *        this worker alone ({@code TaskOptions.worker(name)}) or to every worker once ({@code TaskClient.broadcast})
 * @param maxMessageBytes the largest task message body this worker takes (1 MB by default, the producer's
 *        {@code max-payload}); a larger one is dead-lettered with the reason, its body dropped as it arrives
 *        and never held. A worker holds at most {@code prefetch × max-message-bytes} of bodies a queue.
 */
@ConfigurationProperties("bullpen.worker")
public record WorkerProperties(@DefaultValue("celery") List<String> queues, @DefaultValue("64") int concurrency,
        @Nullable Integer prefetch, @DefaultValue("false") boolean trackStarted, @Nullable String name,
        @DefaultValue("30s") Duration shutdownTimeout, @DefaultValue("2s") Duration heartbeatInterval,
        Map<String, String> rateLimits, @DefaultValue("60s") Duration resultRetryTimeout,
        @DefaultValue("true") boolean directQueue, @DefaultValue("1MB") DataSize maxMessageBytes) {

    public WorkerProperties {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("bullpen.worker.queues must name at least one queue");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("bullpen.worker.concurrency must be at least 1, got " + concurrency);
        }
        if (prefetch != null && prefetch < 1) {
            throw new IllegalArgumentException("bullpen.worker.prefetch must be at least 1, got " + prefetch);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("bullpen.worker.heartbeat-interval must be positive, got " + heartbeatInterval);
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("bullpen.worker.shutdown-timeout must not be negative, got " + shutdownTimeout);
        }
        if (resultRetryTimeout.isNegative()) {
            throw new IllegalArgumentException("bullpen.worker.result-retry-timeout must not be negative, got "
                    + resultRetryTimeout);
        }
        if (maxMessageBytes.toBytes() < 1 || maxMessageBytes.toBytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bullpen.worker.max-message-bytes must be between 1B and 2GB, got "
                    + maxMessageBytes);
        }
        queues = List.copyOf(queues);
        rateLimits = rateLimits == null ? Map.of() : Map.copyOf(rateLimits);
    }

    /**
     * The effective prefetch count, per queue: as set, or twice the concurrency, but no more than
     * half the heap holds in bodies of {@code max-message-bytes} over the queues named,
     * and never less than the concurrency (the broker counts messages, not bytes: this keeps a burst
     * of large ones from taking a small heap).
     */
    public int effectivePrefetch() {
        if (prefetch != null) {
            return prefetch;
        }
        // Half the heap in bodies of the largest size, per queue named (a worker's direct queue rarely holds many).
        long fits = Runtime.getRuntime().maxMemory() / 2 / maxMessageBytes.toBytes() / queues.size();
        // Never under the concurrency, or some slots could never be used.
        return (int) Math.clamp(Math.max(concurrency, Math.min(concurrency * 2L, fits)), 1, 65535);
    }

    /** Bytes of prefetched bodies this worker may hold at once over the queues named, each with its prefetch. */
    public long prefetchedBytes() {
        return (long) effectivePrefetch() * maxMessageBytes.toBytes() * queues.size();
    }

    /** The effective node name. */
    public String nodeName() {
        if (name != null && !name.isBlank()) {
            return name;
        }
        try {
            return "bullpen@" + InetAddress.getLocalHost().getHostName();
        } catch (Exception ex) {
            return "bullpen@localhost";
        }
    }
}
