package dev.bullpen.client.internal;

import com.rabbitmq.client.Channel;
import java.io.IOException;

/**
 * Celery's {@code worker_direct} queues ({@code celery/utils/nodenames.py}): every worker also
 * consumes a queue of its own, {@code <node>.dq2}, bound with routing key {@code <node>} to the
 * direct exchange {@code C.dq2}, so a task can be sent to one named worker. Declared exactly as
 * kombu declares {@code Queue("<node>.dq2", Exchange("C.dq2"), "<node>")}: a durable direct
 * exchange, and a durable queue that is neither exclusive nor auto-deleted, with no arguments. So a
 * Python Celery worker with {@code worker_direct=True} and a Bullpen worker declare the same thing,
 * and a task waits in the queue of a worker that is down until it is back (Celery 4 renamed
 * {@code .dq}, which was auto-deleted and lost such tasks, to {@code .dq2}).
 */
public final class DirectQueues {

    /** Celery's {@code WORKER_DIRECT_EXCHANGE}. */
    public static final String EXCHANGE = "C.dq2";

    private DirectQueues() {
    }

    /** Celery's {@code WORKER_DIRECT_QUEUE_FORMAT}: {@code <node>.dq2}. */
    public static String queueFor(String node) {
        return node + ".dq2";
    }

    /** Declares the exchange, as kombu does: direct, durable, not auto-deleted. Idempotent. */
    public static void declareExchange(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, "direct", true, false, null);
    }

    /** Declares a node's queue and its binding (routing key = the node name), and the exchange. Idempotent. */
    public static void declare(Channel channel, String node) throws IOException {
        declareExchange(channel);
        channel.queueDeclare(queueFor(node), true, false, false, null);
        channel.queueBind(queueFor(node), EXCHANGE, node);
    }
}
