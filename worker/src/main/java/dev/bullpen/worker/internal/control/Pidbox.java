package dev.bullpen.worker.internal.control;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.MalformedMessageException;
import dev.bullpen.worker.internal.Worker;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;
import tools.jackson.databind.JsonNode;

/**
 * Celery's remote control on a Bullpen worker, the way kombu's pidbox {@code Node} does it: a queue
 * {@code <node>.celery.pidbox} bound to the fanout exchange {@code celery.pidbox}, consumed without
 * acknowledgements, each command answered by {@link ControlCommands} on the direct exchange
 * {@code reply.celery.pidbox} with the caller's ticket. It has a connection of its own, so a
 * flood of commands or a broken reply never touches task consumption, and the RabbitMQ client's
 * automatic recovery redeclares the queue and resubscribes after a connection loss.
 */
public final class Pidbox implements SmartLifecycle {

    static final String EXCHANGE = BrokerTopology.CONTROL_EXCHANGE;
    static final String REPLY_EXCHANGE = BrokerTopology.CONTROL_REPLY_EXCHANGE;

    private static final Logger log = LoggerFactory.getLogger(Pidbox.class);

    private final ConnectionFactory factory;
    private final String node;
    private final ControlCommands commands;
    private final LamportClock clock;
    private volatile boolean running;
    private volatile boolean listening;
    private volatile @Nullable Connection connection;
    private @Nullable Thread connector;
    /** Replies go out on a channel apart from the consumer's: a refused publish closes only that one. */
    private volatile @Nullable Channel replies;

    public Pidbox(ConnectionFactory amqp, String node, ControlCommands commands, LamportClock clock) {
        this.factory = amqp.clone();
        this.factory.setAutomaticRecoveryEnabled(true);
        this.factory.setTopologyRecoveryEnabled(true);
        this.factory.setNetworkRecoveryInterval(2000);
        this.node = node;
        this.commands = commands;
        this.clock = clock;
    }

    /** The queue a node's commands arrive on. */
    static String queueName(String node) {
        return BrokerTopology.controlQueue(node);
    }

    @Override
    public synchronized void start() {
        running = true;
        connector = Thread.ofVirtual().name("bullpen-pidbox-connect").start(this::connectUntilListening);
    }

    private void connectUntilListening() {
        BackOffExecution backOff = new ExponentialBackOff(500, 2.0).start();
        while (running) {
            try {
                listen();
                return;
            } catch (IOException | TimeoutException | RuntimeException ex) {
                long wait = Math.min(backOff.nextBackOff(), 10_000);
                log.warn("Remote control cannot reach the broker ({}); retrying in {} ms", ex.toString(), wait);
                closeConnection();
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private synchronized void listen() throws IOException, TimeoutException {
        if (!running) {
            return;
        }
        Connection c = factory.newConnection(node + " remote control");
        connection = c;
        Channel ch = c.createChannel();
        String queue = queueName(node);
        AMQP.Queue.DeclareOk declared = BrokerTopology.declareControlQueue(ch, node);
        if (declared.getConsumerCount() > 0) {
            // kombu's W_PIDBOX_IN_USE: the nodes share the queue, so each command reaches only one of them.
            log.warn("A node named {} is already using the remote-control queue {}: give each worker its own "
                    + "bullpen.worker.name, or each command reaches only one of them", node, queue);
        }
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                receive(props, body);
            }

            @Override
            public void handleCancel(String tag) {
                // The queue was deleted under us (not a connection loss, which recovery handles): start over.
                log.warn("The remote-control queue {} was deleted; declaring it again", queue);
                listening = false;
                Thread.ofVirtual().name("bullpen-pidbox-connect").start(() -> {
                    closeConnection();
                    connectUntilListening();
                });
            }
        });
        listening = true;
        log.info("Remote control: {} listens on {} (exchange {})", node, queue, EXCHANGE);
    }

    /** One command: on the consumer's thread, one at a time. */
    void receive(AMQP.BasicProperties props, byte[] body) {
        Map<String, Object> headers = props.getHeaders();
        if (headers != null && headers.get("clock") instanceof Number other) {
            clock.adjust(other.longValue());
        } else {
            clock.forward();
        }
        String type = props.getContentType();
        if (type != null && !type.equals("application/json")) {
            log.warn("Ignored a remote-control message of content type {}: Bullpen reads JSON only "
                    + "(set the Celery client's task_serializer to json)", type);
            return;
        }
        ControlRequest request;
        try {
            request = ControlRequest.parse(body);
        } catch (MalformedMessageException ex) {
            log.warn("Ignored a remote-control message: {}", ex.getMessage());
            return;
        }
        if (!request.isFor(node)) {
            return;
        }
        JsonNode reply;
        try {
            reply = commands.handle(request.method(), request.arguments());
        } catch (RuntimeException ex) {
            log.error("Remote-control command {} failed: {}", request.method(), ex.toString(), ex);
            reply = ControlCommands.error(request.method() + " failed: " + ex);
        }
        log.debug("Remote control {} -> {}", request.method(), reply);
        if (request.replyTo() != null) {
            reply(request, reply);
        }
    }

    private void reply(ControlRequest request, JsonNode reply) {
        ControlRequest.ReplyTo to = request.replyTo();
        if (to == null) {
            return; // a cast: nobody waits for a reply
        }
        try {
            replyChannel().basicPublish(to.exchange(), to.routingKey(), replyProperties(request.ticket(), clock.forward()),
                    replyBody(node, reply));
        } catch (IOException | RuntimeException ex) {
            log.warn("Could not reply to {} on {}/{}: {}", request.method(), to.exchange(), to.routingKey(), ex.toString());
        }
    }

    /**
     * What kombu's {@code Mailbox._publish_reply} sends: transient JSON with the caller's {@code ticket}
     * and this node's {@code clock} as headers. Without the ticket kombu would take the reply for
     * whichever call it is collecting; with a null one, for none.
     */
    static AMQP.BasicProperties replyProperties(@Nullable String ticket, long clock) {
        Map<String, Object> headers = new HashMap<>();
        if (ticket != null) {
            headers.put("ticket", ticket);
        }
        headers.put("clock", clock);
        return new AMQP.BasicProperties.Builder().contentType("application/json").contentEncoding("utf-8")
                .deliveryMode(1).priority(0).headers(headers).build();
    }

    /** {@code {<node>: <reply>}}, which Celery's {@code flatten_reply} merges across nodes. */
    static byte[] replyBody(String node, JsonNode reply) {
        return CeleryJson.mapper().writeValueAsBytes(CeleryJson.mapper().createObjectNode().set(node, reply));
    }

    private Channel replyChannel() throws IOException {
        Channel ch = replies;
        if (ch == null || !ch.isOpen()) {
            Connection c = connection;
            if (c == null) {
                throw new IOException("not connected");
            }
            ch = c.createChannel();
            // Declared as kombu declares it before each reply, so the caller's queue binding has an exchange.
            BrokerTopology.declareControlReplyExchange(ch);
            replies = ch;
        }
        return ch;
    }

    /** True once the node's queue is consumed (and while its connection is up). */
    boolean isListening() {
        Connection c = connection;
        return running && listening && c != null && c.isOpen();
    }

    @Override
    public void stop() {
        synchronized (this) {
            running = false;
        }
        Thread current = connector;
        if (current != null) {
            current.interrupt();
        }
        closeConnection();
    }

    private synchronized void closeConnection() {
        Connection c = connection;
        connection = null;
        replies = null;
        listening = false;
        if (c != null && c.isOpen()) {
            try {
                c.close(2000);
            } catch (IOException | RuntimeException ex) {
                log.debug("Closing the remote-control connection failed: {}", ex.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Beside the heartbeat: answers once the worker starts, and stops answering as soon as it starts to stop.
        return Worker.PHASE + 1;
    }
}
