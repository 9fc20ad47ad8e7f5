package dev.bullpen.producer.task;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.producer.ProducerProperties;
import dev.bullpen.producer.task.IdempotencyRecord.Pending;
import dev.bullpen.producer.task.IdempotencyRecord.Published;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Submissions with an {@code Idempotency-Key}: the first request with a key claims it in Redis for
 * the task id it chose, then publishes; every other request with the key answers that id, and none
 * publishes again.
 *
 * <p>A request never answers an id whose task the broker has not confirmed. One that finds the key
 * claimed by a request still publishing (a concurrent duplicate) waits, without holding a thread,
 * until that request settles: its id once the broker confirmed, 503 if it failed and released the
 * key, 409 if it is still at it after the confirm timeout. A claim the producer could neither
 * settle nor release (it died, or lost Redis, mid-publish) lapses after its lease, the confirm
 * timeout plus {@link #LEASE_MARGIN}, rather than blocking the key for the whole time to live.
 */
@Component
class IdempotentSubmits {

    private static final Logger log = LoggerFactory.getLogger(IdempotentSubmits.class);

    /** Beyond the confirm timeout, for the broker RPCs and Redis commands around a publish. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    /** How much longer than the confirm timeout a duplicate waits for the claimant to settle. */
    static final Duration WAIT_MARGIN = Duration.ofSeconds(5);
    private static final long FIRST_POLL_MILLIS = 5;
    private static final long LONGEST_POLL_MILLIS = 100;

    private final IdempotencyStore store;
    private final Duration ttl;
    private final Duration lease;
    private final Duration wait;
    private final Executor executor;
    private final Counter replays;
    private final AtomicInteger waiting = new AtomicInteger();

    IdempotentSubmits(IdempotencyStore store, ProducerProperties properties, ClientProperties clientProperties,
            @Qualifier("applicationTaskExecutor") Executor executor, MeterRegistry meters) {
        this.store = store;
        this.ttl = properties.idempotencyTtl();
        this.lease = clientProperties.confirmTimeout().plus(LEASE_MARGIN);
        this.wait = clientProperties.confirmTimeout().plus(WAIT_MARGIN);
        this.executor = executor;
        this.replays = Counter.builder(MeterNames.IDEMPOTENT_REPLAYS)
                .description("Submissions answered from an earlier request with the same Idempotency-Key")
                .register(meters);
        meters.gauge(MeterNames.IDEMPOTENT_WAITING, waiting);
    }

    /** The answer to a submission: the task id, and whether an earlier request published it. */
    record Submitted(String taskId, boolean replayed) {
    }

    /** What a request that did not get the claim makes of the record it finds. */
    enum Verdict {
        /** The task was published for this very request: answer its id. */
        REPLAY,
        /** The key came with another body: 422. */
        MISMATCH,
        /** The claimant is still publishing: look again shortly. */
        WAIT,
        /** The claimant failed and released the key: 503, nothing stands for the key. */
        GONE
    }

    static Verdict verdict(@Nullable IdempotencyRecord found, String fingerprint) {
        if (found == null) {
            return Verdict.GONE;
        }
        if (!found.fingerprint().equals(fingerprint)) {
            return Verdict.MISMATCH;
        }
        return switch (found) {
            case Published published -> Verdict.REPLAY;
            case Pending pending -> Verdict.WAIT;
        };
    }

    /**
     * Publishes the task once for the key.
     *
     * @param taskId the id to publish under if this request is the first with the key
     * @param publish sends the task with the id given and completes on the broker's confirm
     * @throws IdempotencyException when Redis cannot be reached (nothing is published then)
     */
    CompletableFuture<Submitted> submit(IdempotencyKey key, String fingerprint, String taskId,
            Function<String, CompletableFuture<?>> publish) {
        Pending claim = new Pending(taskId, fingerprint, UUID.randomUUID().toString());
        IdempotencyRecord found = store.claim(key, claim, lease);
        if (found == null) {
            return publishClaimed(key, claim, publish);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        if (verdict(found, fingerprint) != Verdict.WAIT) {
            return answer(key, fingerprint, found, deadline, FIRST_POLL_MILLIS);
        }
        waiting.incrementAndGet();
        // whenComplete's own future: the answer goes out only once the gauge is down again.
        return answer(key, fingerprint, found, deadline, FIRST_POLL_MILLIS)
                .whenComplete((submitted, error) -> waiting.decrementAndGet());
    }

    private CompletableFuture<Submitted> publishClaimed(IdempotencyKey key, Pending claim,
            Function<String, CompletableFuture<?>> publish) {
        CompletableFuture<?> sent;
        try {
            sent = publish.apply(claim.taskId());
        } catch (RuntimeException ex) {
            sent = CompletableFuture.failedFuture(ex);
        }
        // Async: the confirm arrives on the AMQP client's thread, which must not wait on Redis.
        return sent.handleAsync((confirmed, error) -> {
            if (error != null) {
                release(key, claim);
                return CompletableFuture.<Submitted>failedFuture(unwrap(error));
            }
            settle(key, claim);
            return CompletableFuture.completedFuture(new Submitted(claim.taskId(), false));
        }, executor).thenCompose(Function.identity());
    }

    private CompletableFuture<Submitted> answer(IdempotencyKey key, String fingerprint,
            @Nullable IdempotencyRecord found, long deadline, long pollMillis) {
        return switch (verdict(found, fingerprint)) {
            case REPLAY -> {
                replays.increment();
                // REPLAY is only ever the verdict on a record found.
                yield CompletableFuture.completedFuture(new Submitted(Objects.requireNonNull(found).taskId(), true));
            }
            case MISMATCH -> CompletableFuture.failedFuture(IdempotencyException.reused());
            case GONE -> CompletableFuture.failedFuture(IdempotencyException.claimantFailed());
            case WAIT -> {
                if (System.nanoTime() - deadline >= 0) {
                    yield CompletableFuture.failedFuture(IdempotencyException.inProgress());
                }
                // Polling Redis, not a subscription: duplicates are rare, and it works across producers.
                Executor later = CompletableFuture.delayedExecutor(pollMillis, TimeUnit.MILLISECONDS, executor);
                yield CompletableFuture.supplyAsync(() -> store.read(key), later)
                        .exceptionallyCompose(ex -> CompletableFuture.failedFuture(unwrap(ex)))
                        .thenCompose(next -> answer(key, fingerprint, next, deadline,
                                Math.min(pollMillis * 2, LONGEST_POLL_MILLIS)));
            }
        };
    }

    private void settle(IdempotencyKey key, Pending claim) {
        try {
            if (!store.settle(key, claim, ttl)) {
                log.warn("Task {} was published, but the claim of its {} had lapsed: a repeat may publish it again",
                        claim.taskId(), key);
            }
        } catch (IdempotencyException ex) {
            // The task is on its way, so its id is the right answer; only the protection is weaker.
            log.warn("Task {} was published, but its {} could not be recorded; a repeat after {} may publish it "
                    + "again: {}", claim.taskId(), key, lease, ex.getMessage());
        }
    }

    private void release(IdempotencyKey key, Pending claim) {
        try {
            store.release(key, claim);
        } catch (IdempotencyException ex) {
            log.warn("Task {} was not sent and its {} could not be released: repeats answer 409 until the claim "
                    + "lapses within {}: {}", claim.taskId(), key, lease, ex.getMessage());
        }
    }

    private static Throwable unwrap(Throwable ex) {
        return ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
    }
}
