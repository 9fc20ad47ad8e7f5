package dev.bullpen.producer.deadletter;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.bullpen.client.InboundGuard;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.client.ConfirmingPublisher;
import dev.bullpen.result.ResultBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Reads and replays {@code <queue>.dlq} over plain AMQP, so no management plugin is needed.
 *
 * <p>Reading takes messages with {@code basic.get} without acknowledging them, on a channel of its
 * own; closing that channel hands every one back to the broker, which puts them back where they were.
 * So a listing never loses nor reorders a dead letter. While a listing or a replay holds them, they are
 * invisible to another listing, for the few milliseconds it lasts.
 */
@Component
class DeadLetterQueues implements AutoCloseable {

    /** How far a replay looks for its message; a dead-letter queue past this wants a purge, not a replay. */
    static final int MAX_SCAN = 10_000;

    private static final Logger log = LoggerFactory.getLogger(DeadLetterQueues.class);

    private final ConfirmingPublisher broker;
    private final ResultBackend results;

    DeadLetterQueues(@Qualifier("bullpenAmqpConnectionFactory") ConnectionFactory amqp, ResultBackend results) {
        this.broker = new ConfirmingPublisher(amqp, 1, "bullpen-producer-dead-letters");
        this.results = results;
    }

    static String deadLetterQueue(String queue) {
        return BrokerTopology.deadLetterQueue(queue);
    }

    /** Up to {@code limit} dead letters of {@code queue}, oldest first; none when the queue has no dead-letter queue. */
    List<DeadLetter> list(String queue, int limit) {
        return broker.withChannel(ch -> {
            if (!exists(ch, deadLetterQueue(queue))) {
                return List.of();
            }
            List<DeadLetter> found = new ArrayList<>();
            GetResponse got;
            while (found.size() < limit && (got = ch.basicGet(deadLetterQueue(queue), false)) != null) {
                found.add(DeadLetter.of(got.getProps()));
            }
            return found; // closing the channel requeues them all, in place
        });
    }

    /**
     * Sends the dead letter of task {@code id} back to its original queue as a fresh run, then takes
     * it off the dead-letter queue. Empty when no dead letter has that id.
     */
    Optional<ReplayAccepted> replay(String queue, String id) {
        return broker.withChannel(ch -> {
            String dlq = deadLetterQueue(queue);
            if (!exists(ch, dlq)) {
                return Optional.empty();
            }
            GetResponse got;
            for (int scanned = 0; scanned < MAX_SCAN && (got = ch.basicGet(dlq, false)) != null; scanned++) {
                if (id.equals(DeadLetter.idOf(got.getProps()))) {
                    return Optional.of(replay(ch, queue, id, got));
                }
            }
            return Optional.empty(); // the others go back when the channel closes
        });
    }

    private ReplayAccepted replay(Channel ch, String queue, String id, GetResponse dead) throws IOException {
        Map<String, Object> headers = dead.getProps().getHeaders();
        String lost = InboundGuard.problem(headers, "the worker's bullpen.worker.max-message-bytes");
        if (lost != null) {
            // Its body, or some of its headers, were never kept: a replay would run something else.
            throw new NotReplayableException(id, lost);
        }
        Object original = headers == null ? null : headers.get(DeadLetter.ORIGINAL_QUEUE);
        String target = original != null ? original.toString() : queue;
        // Forget the FAILURE first: done after, it could wipe out the new run's result.
        results.forget(id);
        try {
            broker.publish("", target, fresh(dead.getProps()), dead.getBody()).join();
        } catch (CompletionException ex) {
            // A TaskPublishException (broker refused, queue gone) answers 503; the dead letter stays.
            throw ex.getCause() instanceof RuntimeException cause ? cause : ex;
        }
        // Confirmed on its queue: only now may the dead letter go. If this ack is lost, the dead
        // letter stays and a second replay runs the task twice; it is never lost.
        ch.basicAck(dead.getEnvelope().getDeliveryTag(), false);
        log.info("Replayed dead letter {} from {} to {}", id, deadLetterQueue(queue), target);
        return new ReplayAccepted(id, target);
    }

    /**
     * The message as a fresh run: retries from 0, due now, without the dead-letter and the broker's
     * x-death bookkeeping. Everything else stays, expires included, since that is the caller's wish.
     */
    static AMQP.BasicProperties fresh(AMQP.BasicProperties props) {
        Map<String, @Nullable Object> headers = props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
        headers.keySet().removeIf(name -> name.startsWith("x-bullpen-") || name.startsWith("x-death")
                || name.startsWith("x-first-death-") || name.startsWith("x-last-death-"));
        headers.put("retries", 0);
        headers.put("eta", null);
        return props.builder().headers(headers).expiration(null).build();
    }

    /** A passive declare: a 404 closes the channel, so ask on a channel of its own. */
    private static boolean exists(Channel ch, String queue) throws IOException {
        Channel probe = ch.getConnection().createChannel();
        try {
            probe.queueDeclarePassive(queue);
            return true;
        } catch (IOException ex) {
            if (ex.getCause() instanceof ShutdownSignalException signal
                    && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == 404) {
                return false;
            }
            throw ex;
        } finally {
            if (probe.isOpen()) {
                try {
                    probe.close();
                } catch (Exception ignored) {
                    // done with it
                }
            }
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
