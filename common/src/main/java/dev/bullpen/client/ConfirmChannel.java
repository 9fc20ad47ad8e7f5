package dev.bullpen.client;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Return;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * One confirm-mode AMQP channel and the messages published on it that the broker has not settled
 * yet, by publish sequence number. A channel's sequence numbers start at 1, so the messages of one
 * channel are never mixed with those of the channel that replaces it.
 */
final class ConfirmChannel {

    private final Channel channel;
    private final Executor settlements;
    private final ConcurrentNavigableMap<Long, Unconfirmed> unconfirmed = new ConcurrentSkipListMap<>();

    /**
     * @param settlements where futures are completed: confirms arrive on the connection's own thread,
     *        and a caller's continuation that talks to the broker again (sends from a sendAsync
     *        callback, declares a queue) would wait there for a reply only that thread can read
     */
    ConfirmChannel(Channel channel, Executor settlements) throws IOException {
        this.channel = channel;
        this.settlements = settlements;
        channel.confirmSelect();
        channel.addConfirmListener((tag, multiple) -> settle(tag, multiple, null),
                (tag, multiple) -> settle(tag, multiple, "the broker refused the message (nack)"));
        channel.addReturnListener(this::returned);
    }

    Channel channel() {
        return channel;
    }

    /** Remembers a message about to be published with sequence number {@code seq}. */
    void track(long seq, String exchange, String routingKey, byte[] body, CompletableFuture<Void> confirmed) {
        unconfirmed.put(seq, new Unconfirmed(exchange, routingKey, body, confirmed));
    }

    /** Forgets a message whose publish failed before it reached the broker. */
    void forget(long seq) {
        unconfirmed.remove(seq);
    }

    /** Fails every unsettled message: the channel is gone. */
    void failAll(String reason) {
        List<Runnable> outcomes = new ArrayList<>();
        for (var it = unconfirmed.values().iterator(); it.hasNext(); ) {
            Unconfirmed message = it.next();
            it.remove();
            outcomes.add(() -> message.confirmed.completeExceptionally(new TaskPublishException(reason)));
        }
        settleElsewhere(outcomes);
    }

    /**
     * The broker sends a message's basic.return before its ack, on this channel, in publish order.
     * A return names no sequence number, so it goes to the oldest unsettled, not yet returned message
     * with the same exchange, routing key and body. That needs no correlation id or extra header, so
     * any message (a dead letter too) is covered.
     */
    private void returned(Return ret) {
        String reason = "unroutable: no queue for exchange '" + ret.getExchange() + "' routing key '"
                + ret.getRoutingKey() + "' (" + ret.getReplyCode() + " " + ret.getReplyText() + ")";
        for (Unconfirmed message : unconfirmed.values()) {
            if (message.returned == null && message.exchange.equals(ret.getExchange())
                    && message.routingKey.equals(ret.getRoutingKey()) && Arrays.equals(message.body, ret.getBody())) {
                message.returned = reason;
                return;
            }
        }
    }

    private void settle(long tag, boolean multiple, @Nullable String nackReason) {
        // A returned message is acked too: the ack settles it, and the return says why it failed.
        var settled = multiple ? unconfirmed.headMap(tag, true) : unconfirmed.subMap(tag, true, tag, true);
        List<Runnable> outcomes = new ArrayList<>();
        for (var it = settled.values().iterator(); it.hasNext(); ) {
            Unconfirmed message = it.next();
            it.remove();
            String problem = nackReason != null ? nackReason : message.returned;
            TaskPublishException failure = problem == null ? null
                    : nackReason == null ? new UnroutableException(problem) : new TaskPublishException(problem);
            outcomes.add(failure == null
                    ? () -> message.confirmed.complete(null)
                    : () -> message.confirmed.completeExceptionally(failure));
        }
        settleElsewhere(outcomes);
    }

    private void settleElsewhere(List<Runnable> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        try {
            settlements.execute(() -> outcomes.forEach(Runnable::run));
        } catch (RejectedExecutionException ex) {
            // The publisher is closing: settle here rather than never.
            outcomes.forEach(Runnable::run);
        }
    }

    private static final class Unconfirmed {

        final String exchange;
        final String routingKey;
        final byte[] body;
        final CompletableFuture<Void> confirmed;
        /** Why the broker returned it; set on the connection thread before the ack that reads it. */
        volatile @Nullable String returned;

        Unconfirmed(String exchange, String routingKey, byte[] body, CompletableFuture<Void> confirmed) {
            this.exchange = exchange;
            this.routingKey = routingKey;
            this.body = body;
            this.confirmed = confirmed;
        }
    }
}
