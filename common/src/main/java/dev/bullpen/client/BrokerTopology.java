package dev.bullpen.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every exchange, queue and binding Bullpen declares on RabbitMQ, in one place, with the names and
 * arguments Celery and kombu use, so a Bullpen worker, a Bullpen client and a Python Celery worker
 * or client all declare the same thing. The client, the worker and the producer declare through
 * here only.
 *
 * <p>Arguments are part of a queue's identity on the broker: declaring an existing queue with other
 * arguments is refused ({@code PRECONDITION_FAILED}) and closes the channel. So what is declared
 * here must not change for queues that already exist on a live broker.
 *
 * <table>
 *   <caption>What is declared</caption>
 *   <tr><th>What</th><th>Exchange</th><th>Queue</th></tr>
 *   <tr><td>task queue</td><td>{@code <queue>}, direct, durable</td><td>{@code <queue>}, durable, its
 *       {@link QueueDefinition}'s arguments</td></tr>
 *   <tr><td>dead letters</td><td>default</td><td>{@code <queue>.dlq}, durable, no arguments</td></tr>
 *   <tr><td>delays</td><td>{@code bullpen.delay.<k>}, fanout, durable</td><td>same name, TTL 2^k s,
 *       dead-lettered to the default exchange</td></tr>
 *   <tr><td>a worker's own queue</td><td>{@code C.dq2}, direct, durable</td><td>{@code <node>.dq2},
 *       durable, key {@code <node>}</td></tr>
 *   <tr><td>remote control</td><td>{@code celery.pidbox}, fanout; replies {@code reply.celery.pidbox},
 *       direct</td><td>{@code <node>.celery.pidbox}, auto-delete, TTL 300 s, expires 10 s</td></tr>
 *   <tr><td>events</td><td>{@code celeryev}, topic, durable</td><td>a listener's own, exclusive</td></tr>
 * </table>
 */
public final class BrokerTopology {

    /** Celery's {@code WORKER_DIRECT_EXCHANGE}: a task sent to one named worker goes through it. */
    public static final String DIRECT_EXCHANGE = "C.dq2";
    /** kombu's mailbox exchange for Celery ({@code <namespace>.pidbox}): remote-control commands. */
    public static final String CONTROL_EXCHANGE = "celery.pidbox";
    /** kombu's reply exchange for Celery's mailbox: answers to remote-control commands. */
    public static final String CONTROL_REPLY_EXCHANGE = "reply.celery.pidbox";
    /** Celery's event exchange: heartbeats and worker events. */
    public static final String EVENT_EXCHANGE = "celeryev";
    /** How many delay levels there are: level {@code k} holds messages {@code 2^k} seconds, up to about 4 years. */
    public static final int DELAY_LEVELS = 28;

    /** AMQP's reply code for a declaration that does not match the queue that exists. */
    private static final int PRECONDITION_FAILED = 406;
    private static final String DELAY_PREFIX = "bullpen.delay.";
    /** Celery's {@code control_queue_ttl} (300 s) and {@code control_queue_expires} (10 s), as kombu declares them. */
    private static final Map<String, Object> CONTROL_QUEUE_ARGUMENTS = Map.of("x-message-ttl", 300_000, "x-expires", 10_000);
    /** Events are of no use after a few seconds: a listener that falls behind drops them. */
    private static final Map<String, Object> EVENT_QUEUE_ARGUMENTS = Map.of("x-message-ttl", 5000);

    private BrokerTopology() {
    }

    /**
     * A task queue as Celery declares it: a durable direct exchange and a durable queue of the same
     * name, bound with the queue's name; the queue with its definition's arguments (none when
     * {@code definition} is null).
     *
     * @throws QueueMismatchException when the queue exists with other arguments; the broker has
     *         closed {@code ch} then
     */
    public static void declareQueue(Channel ch, String queue, @Nullable QueueDefinition definition) throws IOException {
        Map<String, Object> arguments = definition == null ? Map.of() : definition.arguments();
        ch.exchangeDeclare(queue, "direct", true);
        try {
            ch.queueDeclare(queue, true, false, false, arguments.isEmpty() ? null : arguments);
        } catch (IOException ex) {
            String refusal = preconditionFailed(ex.getCause());
            if (refusal != null) {
                throw new QueueMismatchException(queue, arguments, refusal);
            }
            throw ex;
        }
        ch.queueBind(queue, queue, queue);
    }

    /** A task queue as Celery declares its default one: durable, no arguments. */
    public static void declareQueueLikeCelery(Channel ch, String queue) throws IOException {
        declareQueue(ch, queue, QueueDefinition.plain());
    }

    /** The dead-letter queue of a task queue: {@code <queue>.dlq}. */
    public static String deadLetterQueue(String queue) {
        return queue + ".dlq";
    }

    /** Declares the dead-letter queue of {@code queue}: durable, no arguments, on the default exchange. */
    public static void declareDeadLetterQueue(Channel ch, String queue) throws IOException {
        ch.queueDeclare(deadLetterQueue(queue), true, false, false, null);
    }

    /** The exchange (and queue) of delay level {@code level}, {@code bullpen.delay.<level>}. */
    public static String delayExchange(int level) {
        return DELAY_PREFIX + level;
    }

    /**
     * Declares every delay level: a durable fanout exchange and a queue whose messages all live
     * {@code 2^k} seconds and are then dead-lettered to the default exchange with their routing key,
     * which is their target queue. Idempotent.
     */
    public static void declareDelayQueues(Channel ch) throws IOException {
        for (int level = 0; level < DELAY_LEVELS; level++) {
            String name = delayExchange(level);
            ch.exchangeDeclare(name, "fanout", true);
            ch.queueDeclare(name, true, false, false, Map.of(
                    "x-message-ttl", (1L << level) * 1000L,
                    "x-dead-letter-exchange", ""));
            ch.queueBind(name, name, "");
        }
    }

    /** Celery's {@code WORKER_DIRECT_QUEUE_FORMAT}: a worker's own queue, {@code <node>.dq2}. */
    public static String directQueue(String node) {
        return node + ".dq2";
    }

    /** Declares {@link #DIRECT_EXCHANGE} as kombu does: direct, durable, not auto-deleted. Idempotent. */
    public static void declareDirectExchange(Channel ch) throws IOException {
        ch.exchangeDeclare(DIRECT_EXCHANGE, "direct", true, false, null);
    }

    /**
     * Declares a worker's own queue as kombu declares {@code Queue("<node>.dq2", Exchange("C.dq2"), "<node>")}:
     * the exchange, a durable queue neither exclusive nor auto-deleted with no arguments, and its
     * binding (routing key = the node name). A task waits there while its worker is down. Idempotent.
     */
    public static void declareDirectQueue(Channel ch, String node) throws IOException {
        declareDirectExchange(ch);
        ch.queueDeclare(directQueue(node), true, false, false, null);
        ch.queueBind(directQueue(node), DIRECT_EXCHANGE, node);
    }

    /** The queue a node's remote-control commands arrive on: {@code <node>.celery.pidbox}. */
    public static String controlQueue(String node) {
        return node + ".celery.pidbox";
    }

    /** Declares {@link #CONTROL_EXCHANGE} as kombu does: fanout, not durable. */
    public static void declareControlExchange(Channel ch) throws IOException {
        ch.exchangeDeclare(CONTROL_EXCHANGE, "fanout", false);
    }

    /**
     * Declares a node's remote-control queue as kombu's pidbox {@code Node} does (not durable,
     * auto-deleted, Celery's TTL and expiry) and binds it to {@link #CONTROL_EXCHANGE}, with the exchange.
     *
     * @return the broker's answer, whose consumer count says whether another node of that name listens
     */
    public static AMQP.Queue.DeclareOk declareControlQueue(Channel ch, String node) throws IOException {
        declareControlExchange(ch);
        AMQP.Queue.DeclareOk declared = ch.queueDeclare(controlQueue(node), false, false, true, CONTROL_QUEUE_ARGUMENTS);
        ch.queueBind(controlQueue(node), CONTROL_EXCHANGE, "");
        return declared;
    }

    /** Declares {@link #CONTROL_REPLY_EXCHANGE} as kombu does before each reply: direct, not durable. */
    public static void declareControlReplyExchange(Channel ch) throws IOException {
        ch.exchangeDeclare(CONTROL_REPLY_EXCHANGE, "direct", false);
    }

    /**
     * Declares a caller's reply queue as Celery declares it (auto-deleted, Celery's TTL and expiry),
     * bound to {@link #CONTROL_REPLY_EXCHANGE} with {@code routingKey}, with the exchange.
     */
    public static void declareControlReplyQueue(Channel ch, String queue, String routingKey) throws IOException {
        declareControlReplyExchange(ch);
        ch.queueDeclare(queue, false, false, true, CONTROL_QUEUE_ARGUMENTS);
        ch.queueBind(queue, CONTROL_REPLY_EXCHANGE, routingKey);
    }

    /** Declares {@link #EVENT_EXCHANGE} as Celery does: topic, durable, so either side may create it. */
    public static void declareEventExchange(Channel ch) throws IOException {
        ch.exchangeDeclare(EVENT_EXCHANGE, "topic", true);
    }

    /**
     * Declares a listener's own event queue (server-named, exclusive, auto-deleted, events kept
     * five seconds) bound to {@link #EVENT_EXCHANGE} with {@code pattern}, with the exchange.
     *
     * @return the queue's name
     */
    public static String declareEventQueue(Channel ch, String pattern) throws IOException {
        declareEventExchange(ch);
        String queue = ch.queueDeclare("", false, true, true, EVENT_QUEUE_ARGUMENTS).getQueue();
        ch.queueBind(queue, EVENT_EXCHANGE, pattern);
        return queue;
    }

    /** The broker's reply text when it closed the channel because a declaration did not match. */
    private static @Nullable String preconditionFailed(@Nullable Throwable cause) {
        if (cause instanceof ShutdownSignalException signal && signal.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == PRECONDITION_FAILED) {
            return close.getReplyText();
        }
        return null;
    }
}
