package dev.bullpen.client;

import com.rabbitmq.client.AMQP;
import dev.bullpen.protocol.CeleryJson;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.node.ObjectNode;

/**
 * Celery's remote-control revoke, sent as Celery's {@code app.control.revoke(id, terminate=...)}
 * sends it (kombu's {@code Mailbox._broadcast} without a reply): a JSON message on the
 * fanout exchange {@code celery.pidbox}, which every Celery worker's {@code <node>.celery.pidbox}
 * queue is bound to. Python Celery workers keep revocations only in memory and never read
 * Bullpen's, so this is how they hear of one; Bullpen workers, which listen there too, store it
 * in the durable revocations again, which changes nothing.
 */
final class RevokeBroadcast {

    /** Celery's default broadcast timeout: kombu's {@code expires} header is the send time plus it. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final ConfirmingPublisher publisher;
    private final Duration confirmTimeout;
    /** kombu's Mailbox clock: a Lamport clock, forwarded for each message, that the workers adjust theirs to. */
    private final AtomicLong clock = new AtomicLong();

    RevokeBroadcast(ConfirmingPublisher publisher, Duration confirmTimeout) {
        this.publisher = publisher;
        this.confirmTimeout = confirmTimeout;
    }

    /**
     * Publishes the revoke and waits for the broker's confirm. No worker listening is no error: a
     * broadcast reaches whoever is there, as in Celery.
     *
     * @throws TaskPublishException when the broker cannot be reached, refuses it or does not confirm in time
     */
    void send(String taskId, boolean terminate) {
        byte[] body = CeleryJson.mapper().writeValueAsBytes(body(taskId, terminate));
        AMQP.BasicProperties props = properties(clock.incrementAndGet(), Instant.now());
        publisher.withChannel(channel -> {
            BrokerTopology.declareControlExchange(channel);
            channel.confirmSelect();
            // Not mandatory: a fanout exchange with no worker bound routes nowhere, and that is fine.
            channel.basicPublish(BrokerTopology.CONTROL_EXCHANGE, "", false, props, body);
            try {
                channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
            } catch (TimeoutException ex) {
                throw new TaskPublishException("the broker did not confirm the revoke of " + taskId + " within "
                        + confirmTimeout, ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new TaskPublishException("interrupted while waiting for the broker's confirm", ex);
            }
            return null;
        });
    }

    /**
     * {@code {"method": "revoke", "arguments": {"task_id", "terminate", "signal"}, "destination": null,
     * "pattern": null, "matcher": null}}: every node, and {@code SIGTERM}, Celery's default signal.
     */
    static ObjectNode body(String taskId, boolean terminate) {
        ObjectNode body = CeleryJson.mapper().createObjectNode();
        body.put("method", "revoke");
        ObjectNode arguments = body.putObject("arguments");
        arguments.put("task_id", taskId);
        arguments.put("terminate", terminate);
        arguments.put("signal", "SIGTERM");
        body.putNull("destination");
        body.putNull("pattern");
        body.putNull("matcher");
        return body;
    }

    /**
     * What kombu's publish puts on it: JSON in UTF-8, priority 0, the {@code clock} and {@code expires}
     * headers, and delivery mode 2 (kombu names the exchange by its name, so the mailbox's
     * {@code transient} is not applied; the queues it lands in are not durable anyway).
     */
    static AMQP.BasicProperties properties(long clock, Instant now) {
        return properties(clock, now, TIMEOUT);
    }

    /** The same, for a broadcast whose callers wait {@code timeout} for replies: it is of no use after. */
    static AMQP.BasicProperties properties(long clock, Instant now, Duration timeout) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("clock", clock);
        headers.put("expires", (now.toEpochMilli() + timeout.toMillis()) / 1000.0);
        return new AMQP.BasicProperties.Builder().contentType("application/json").contentEncoding("utf-8")
                .deliveryMode(2).priority(0).headers(headers).build();
    }
}
