package dev.bullpen.worker.internal.limits;

import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskMethod;
import dev.bullpen.worker.internal.run.TaskRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds each rate-limited task to its rate, across all workers, before it takes a concurrency slot.
 *
 * <p>Why it waits where it does. A token due within {@link #HOLD} is waited for on the delivery's own
 * virtual thread (cheap), with the message unacknowledged and <em>no</em> concurrency slot held, so
 * other tasks run meanwhile. A longer wait (a {@code 1/m} limit, or a backlog on a fast one) would
 * keep the message unacknowledged for up to a minute or more, and a batch of such messages would use
 * up the prefetch, so that other tasks on the queue starve behind them: instead such a message is
 * parked in the broker's delay queues for about the time until the next token, acknowledged, and
 * tries again when it comes back. For the same reason at most half the prefetch waits locally at
 * once; past that a message is parked too. Parking reserves nothing: a parked message takes its
 * chances with the others when it returns, so a long backlog on a slow limit costs a few broker
 * round trips per message per interval, and no state is left to go stale if the message is revoked,
 * expires or is lost.
 */
public final class Throttle {

    /** Tokens due within this are waited for in the worker; later ones are waited for in the broker. */
    static final Duration HOLD = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(Throttle.class);

    /** What to do with a task now. */
    public sealed interface Turn {

        /** Its token is taken: run it. */
        record Now() implements Turn {
        }

        /** Park it broker-side for {@code delay}, then try again. */
        record Later(Duration delay) implements Turn {
        }
    }

    private static final Turn NOW = new Turn.Now();

    private final TaskRegistry registry;
    private final Map<String, Optional<RateLimit>> configured;
    private final @Nullable RateLimits limits;
    private final Semaphore holding;
    private final TaskMeters meters;
    private final Map<String, Optional<RateLimit>> effective = new ConcurrentHashMap<>();

    /**
     * @param configured {@code bullpen.worker.rate-limits}: by task name, overriding the annotation
     * @param limits the shared buckets; {@code null} when there is no Redis, which only tasks without
     *        a limit can do with (see {@link #check})
     * @param holdAtOnce how many deliveries may wait locally for a token at once
     * @throws IllegalStateException for a configured limit that does not parse
     */
    public Throttle(TaskRegistry registry, Map<String, String> configured, @Nullable RateLimits limits, int holdAtOnce,
            TaskMeters meters) {
        this.registry = registry;
        this.limits = limits;
        this.holding = new Semaphore(Math.max(1, holdAtOnce));
        this.meters = meters;
        Map<String, Optional<RateLimit>> parsed = new HashMap<>();
        configured.forEach((task, value) -> {
            try {
                parsed.put(task, Optional.ofNullable(RateLimit.parse(value)));
            } catch (IllegalArgumentException ex) {
                throw new IllegalStateException("bullpen.worker.rate-limits[" + task + "]: " + ex.getMessage(), ex);
            }
        });
        this.configured = Map.copyOf(parsed);
    }

    /**
     * Once every task is registered: a rate-limited task with no Redis to keep its bucket stops the
     * application, and a configured limit for a task this worker does not know is logged (it may
     * well be another worker's).
     */
    public void check() {
        for (String task : configured.keySet()) {
            if (registry.find(task) == null) {
                log.warn("bullpen.worker.rate-limits names {}, which this worker does not register; ignored here", task);
            }
        }
        if (limits == null) {
            for (String task : registry.names()) {
                limitFor(task).ifPresent(limit -> {
                    throw new IllegalStateException("task '" + task + "' has rate limit " + limit
                            + ", but there is no Redis to share its bucket in (no LettuceConnectionFactory)");
                });
            }
        }
        registry.names().forEach(task -> limitFor(task).ifPresent(limit ->
                log.info("Task {} is rate-limited to {} across all workers", task, limit)));
    }

    /** The limit a task runs under: configured, else its annotation's. */
    Optional<RateLimit> limitFor(String task) {
        Optional<RateLimit> known = effective.get(task);
        if (known != null) {
            return known;
        }
        TaskMethod method = registry.find(task);
        if (method == null) {
            // Not remembered: stray names in messages must not grow the map without bound.
            return configured.getOrDefault(task, Optional.empty());
        }
        Optional<RateLimit> limit = configured.getOrDefault(task, Optional.ofNullable(method.rateLimit()));
        effective.put(task, limit);
        return limit;
    }

    /**
     * Waits for the task's token if it is due soon, else says how long to park it.
     *
     * @throws RateLimitUnavailable when Redis cannot be asked: the task must not run
     */
    public Turn await(TaskMessage message, String queue) throws InterruptedException {
        Optional<RateLimit> limit = limitFor(message.task());
        if (limit.isEmpty()) {
            return NOW;
        }
        RateLimits buckets = limits;
        if (buckets == null) {
            throw new RateLimitUnavailable("rate limit of " + message.task() + " has no Redis to be kept in", null);
        }
        RateLimits.Token token;
        if (holding.tryAcquire()) {
            try {
                token = buckets.take(message.task(), limit.get(), HOLD);
            } finally {
                holding.release();
            }
        } else {
            token = buckets.take(message.task(), limit.get(), Duration.ZERO);
        }
        return switch (token) {
            case RateLimits.Token.Taken taken -> {
                if (taken.waited().isPositive()) {
                    meters.rateLimited(message, queue, TaskMeters.RATE_LIMIT_WAITED);
                }
                yield NOW;
            }
            case RateLimits.Token.NotBefore later -> {
                meters.rateLimited(message, queue, TaskMeters.RATE_LIMIT_PARKED);
                yield new Turn.Later(later.delay().compareTo(HOLD) < 0 ? HOLD : later.delay());
            }
        };
    }
}
