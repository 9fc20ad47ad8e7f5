package dev.bullpen.worker.internal.consume;

import com.rabbitmq.client.AMQP;
import dev.bullpen.client.InboundGuard;
import dev.bullpen.protocol.MalformedMessageException;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.worker.internal.limits.Throttle;
import dev.bullpen.worker.internal.run.HandBack;
import dev.bullpen.worker.internal.run.RunOutcome;
import dev.bullpen.worker.internal.run.StoredInstead;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskRunner;
import dev.bullpen.worker.internal.topology.DeadLetters;
import dev.bullpen.worker.internal.topology.DelayedDelivery;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what one delivery becomes, and does it: dead-lettered when malformed, revoked when
 * expired, parked broker-side until its ETA (or its rate limit's next token), or run. Answers
 * whether the message may now be acknowledged; it may only once whatever it became is safely
 * stored or confirmed.
 */
final class DeliveryHandler {

    /** What the consumer does with the message afterwards. */
    enum Outcome { ACK, REQUEUE }

    private static final Logger log = LoggerFactory.getLogger(DeliveryHandler.class);
    private static final String MAX_MESSAGE_BYTES = "bullpen.worker.max-message-bytes";

    /** Below this, waiting on the task's own virtual thread is cheaper than a trip through the broker. */
    private static final Duration HOLD_LOCALLY = Duration.ofSeconds(1);

    private final TaskMessageCodec codec;
    private final TaskRunner runner;
    private final DeadLetters deadLetters;
    private final DelayedDelivery delayed;
    private final List<AdmissionCheck> checks;
    private final TaskMeters meters;
    private final Throttle throttle;
    private final long maxBody;
    /** The setting and its value, as reasons name it. */
    private final String limitName;
    private final BodyBudget budget;

    /**
     * @param maxBody the largest body decoded ({@code bullpen.worker.max-message-bytes}); a larger one is
     *        dead-lettered unread
     */
    DeliveryHandler(TaskMessageCodec codec, TaskRunner runner, DeadLetters deadLetters, DelayedDelivery delayed,
            List<AdmissionCheck> checks, TaskMeters meters, Throttle throttle, long maxBody, BodyBudget budget) {
        this.maxBody = maxBody;
        this.limitName = MAX_MESSAGE_BYTES + " (" + maxBody + " bytes)";
        this.budget = budget;
        this.meters = meters;
        this.throttle = throttle;
        this.codec = codec;
        this.runner = runner;
        this.deadLetters = deadLetters;
        this.delayed = delayed;
        this.checks = List.copyOf(checks);
    }

    /**
     * Handles one delivery, taking one of {@code slots} only to run the task (or store its REVOKED):
     * waiting (for an ETA due within a second, for a rate limit's token) and moving messages
     * around hold no slot, so they never keep a task that could run from running. A delivery that
     * finds the slots closed (the worker is stopping) goes back to the queue unstarted.
     */
    Outcome handle(String queue, AMQP.BasicProperties props, byte[] body, Slots slots) throws InterruptedException {
        // Before anything is decoded: what the connection's guard changed, and the size.
        String refused = InboundGuard.problem(props.getHeaders(), limitName);
        if (refused == null && body.length > maxBody) {
            refused = "message body of " + body.length + " bytes is over " + limitName;
        }
        if (refused != null) {
            return deadLetter(queue, props, body, refused);
        }
        // A compressed body is charged as if it inflated to the most it may (the codec stops it there).
        boolean compressed = props.getHeaders() != null && props.getHeaders().get("compression") != null;
        int charge = budget.take(compressed ? (int) maxBody : body.length);
        try {
            return decodeAndHandle(queue, props, body, slots);
        } finally {
            budget.giveBack(charge);
        }
    }

    private Outcome decodeAndHandle(String queue, AMQP.BasicProperties props, byte[] body, Slots slots)
            throws InterruptedException {
        TaskMessage message;
        try {
            message = codec.decode(props, body);
        } catch (MalformedMessageException ex) {
            return deadLetter(queue, props, body, String.valueOf(ex.getMessage()));
        }
        meters.received(message, queue);
        try {
            Admission admission = admit(message, queue, Instant.now());
            if (admission instanceof Admission.Defer defer) {
                Duration wait = Duration.between(Instant.now(), defer.until());
                if (wait.compareTo(HOLD_LOCALLY) >= 0) {
                    delayed.park(queue, props, body, wait).join();
                    log.debug("Task {}[{}] parked for {} ({})", message.task(), message.id(), wait, defer.reason());
                    return Outcome.ACK;
                }
                pause(wait);
                admission = admit(message, queue, Instant.now());
            }
            if (admission instanceof Admission.Run) {
                if (throttle.await(message, queue) instanceof Throttle.Turn.Later later) {
                    delayed.park(queue, props, body, later.delay()).join();
                    log.debug("Task {}[{}] over its rate limit, parked for {}", message.task(), message.id(), later.delay());
                    return Outcome.ACK;
                }
            }
            if (!slots.acquire()) {
                return Outcome.REQUEUE; // the worker is stopping: hand it back unstarted
            }
            try {
                // Again, now that it holds a slot: it may have been revoked (or expired) while it waited for one.
                admission = admit(message, queue, Instant.now());
                switch (admission) {
                    case Admission.Revoke revoke -> runner.revoke(message, queue, revoke.reason());
                    case Admission.Run run -> settle(runner.run(message, queue), message, queue, props, body);
                    case Admission.Defer defer -> {
                        return Outcome.REQUEUE; // still early after holding it: let it come round again
                    }
                }
            } finally {
                slots.release();
            }
            return Outcome.ACK;
        } catch (StoredInstead ex) {
            // A result the store will never take, in a path that ends the run at once (a revoke, a last retry).
            return ex.deadLetterReason() == null ? Outcome.ACK : deadLetter(queue, props, body, ex.deadLetterReason());
        } catch (HandBack ex) {
            log.warn("Task {}[{}] goes back to {}: {}", message.task(), message.id(), queue, ex.getMessage());
            return Outcome.REQUEUE;
        } catch (RuntimeException ex) {
            // Nothing was stored or confirmed: hand the message back rather than lose it.
            log.error("Could not complete {}[{}]; the message goes back to {} in {}: {}", message.task(), message.id(),
                    queue, HOLD_LOCALLY, ex.toString());
            pause(HOLD_LOCALLY);
            return Outcome.REQUEUE;
        }
    }

    /** Sends the retry or the dead letter a run asked for; the message is acknowledged only after. */
    private void settle(RunOutcome ran, TaskMessage message, String queue, AMQP.BasicProperties props, byte[] body) {
        switch (ran) {
            case RunOutcome.Done done -> {
            }
            case RunOutcome.Retry retry -> delayed.deliver(queue, RetryMessage.next(props, message.headers().retries(),
                    OffsetDateTime.now(ZoneOffset.UTC).plus(retry.delay())), body, retry.delay()).join();
            case RunOutcome.GiveUp giveUp -> deadLetters.park(queue, props, body, giveUp.reason(), giveUp.exceptionType(),
                    message.headers().retries()).join();
        }
    }

    private Admission admit(TaskMessage message, String queue, Instant now) {
        for (AdmissionCheck check : checks) {
            Admission admission = check.check(message, queue, now);
            if (!(admission instanceof Admission.Run)) {
                return admission;
            }
        }
        return Admission.RUN;
    }

    private Outcome deadLetter(String queue, AMQP.BasicProperties props, byte[] body, String reason) {
        log.error("Message on {} moved to {}: {}", queue, DeadLetters.queueFor(queue), reason);
        try {
            deadLetters.park(queue, props, body, reason).join();
            return Outcome.ACK;
        } catch (RuntimeException ex) {
            log.error("Could not dead-letter a malformed message from {}; it stays on the queue: {}", queue, ex.toString());
            pause(HOLD_LOCALLY);
            return Outcome.REQUEUE;
        }
    }

    private static void pause(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay); // a virtual thread: costs no platform thread
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
