package dev.bullpen.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.bullpen.protocol.CeleryJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Finds the live workers as {@code celery inspect ping} does (kombu's {@code Mailbox._broadcast}
 * with a reply): a {@code ping} on the fanout exchange {@code celery.pidbox} with a ticket and a
 * {@code reply_to}, and every {@code {node: {"ok": "pong"}}} that comes back on a reply queue of
 * its own within the timeout. Only a worker that runs now answers: one killed a moment ago does
 * not, whereas heartbeats would list it until they expire. Bullpen and Python Celery workers both answer.
 */
final class WorkerPing {

    /** kombu's reply exchange for Celery's mailbox: direct, not durable. */
    static final String REPLY_EXCHANGE = BrokerTopology.CONTROL_REPLY_EXCHANGE;

    private final ConfirmingPublisher publisher;
    private final AtomicLong clock = new AtomicLong();

    WorkerPing(ConfirmingPublisher publisher) {
        this.publisher = publisher;
    }

    /**
     * The node names that answered within {@code timeout}, sorted. It always waits the whole timeout,
     * as Celery does, since nobody knows how many workers there are.
     *
     * @param pattern only the nodes whose name matches this glob ({@code *}, {@code ?}, {@code [...]}),
     *        as Celery's {@code pattern=..., matcher="glob"}; null for every node
     * @throws TaskPublishException when the broker cannot be reached
     */
    List<String> ping(Duration timeout, @Nullable String pattern) {
        String oid = UUID.randomUUID().toString();
        String ticket = UUID.randomUUID().toString();
        String replyQueue = oid + "." + REPLY_EXCHANGE;
        Set<String> nodes = new ConcurrentSkipListSet<>();
        byte[] body = CeleryJson.mapper().writeValueAsBytes(request(oid, ticket, pattern));
        AMQP.BasicProperties props = RevokeBroadcast.properties(clock.incrementAndGet(), Instant.now(), timeout);
        publisher.withChannel(channel -> {
            BrokerTopology.declareControlReplyQueue(channel, replyQueue, oid);
            String tag = channel.basicConsume(replyQueue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties reply, byte[] bytes) {
                    Object got = reply.getHeaders() == null ? null : reply.getHeaders().get("ticket");
                    if (got != null && ticket.equals(got.toString())) {
                        nodes.addAll(pongs(bytes));
                    }
                }
            });
            BrokerTopology.declareControlExchange(channel);
            channel.confirmSelect();
            channel.basicPublish(BrokerTopology.CONTROL_EXCHANGE, "", false, props, body);
            try {
                channel.waitForConfirmsOrDie(Math.max(1000, timeout.toMillis()));
                Thread.sleep(timeout);
            } catch (TimeoutException ex) {
                throw new TaskPublishException("the broker did not confirm the ping within " + timeout, ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new TaskPublishException("interrupted while collecting the workers' pongs", ex);
            }
            channel.basicCancel(tag);
            return null;
        });
        return new ArrayList<>(new TreeSet<>(nodes));
    }

    /** kombu's mailbox message: every node ({@code destination} null) or those matching the glob, reply to our queue, with the ticket. */
    static ObjectNode request(String oid, String ticket, @Nullable String pattern) {
        ObjectNode body = CeleryJson.mapper().createObjectNode();
        body.put("method", "ping");
        body.putObject("arguments");
        body.putNull("destination");
        if (pattern == null) {
            body.putNull("pattern");
            body.putNull("matcher");
        } else {
            body.put("pattern", pattern);
            body.put("matcher", "glob");
        }
        body.put("ticket", ticket);
        body.putObject("reply_to").put("exchange", REPLY_EXCHANGE).put("routing_key", oid);
        return body;
    }

    /** The nodes of a reply {@code {node: {"ok": "pong"}}}; nothing for one that is not. */
    static List<String> pongs(byte[] reply) {
        List<String> nodes = new ArrayList<>();
        try {
            JsonNode root = CeleryJson.mapper().readTree(reply);
            root.properties().forEach(entry -> {
                if ("pong".equals(entry.getValue().path("ok").asString(""))) {
                    nodes.add(entry.getKey());
                }
            });
        } catch (JacksonException ignored) {
            // Not a pong: whoever sent it is not counted.
        }
        return nodes;
    }
}
