package dev.bullpen.result;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The waiting half of {@link RedisResultBackend}: one pattern subscription for the whole backend
 * rather than one per task. A waiter registers, then reads the key once to catch a result that was
 * stored before it arrived, and every (re)subscription after a reconnect reads again for all
 * waiters, so nothing is missed and nothing polls. A task the client {@linkplain #expect expects}
 * before sending it skips that read: it is listened for from before it could have a result.
 */
final class RedisResultListener implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final String keyPrefix;
    private final String clientName;
    /**
     * Tasks sent and not (yet) waited for are remembered, with a result that came first, for a wait
     * that usually follows the broker's confirm within milliseconds, or a batch's send loop: enough
     * for a burst of 20,000, and briefly, since a client that never waits (the HTTP producer, whose
     * callers poll) holds them all (at most some 20 MB of small results) until they are dropped.
     */
    private final ResultWaiters waiters = new ResultWaiters(25_000, Duration.ofSeconds(10));
    /**
     * Wakes waiters off Lettuce's I/O threads: a waiter's callback that calls this backend (or any
     * Redis command) synchronously would otherwise block the very thread its reply must arrive on.
     */
    private final ExecutorService wakeUps = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("bullpen-result-wakeup-", 0).factory());
    private volatile @Nullable StatefulRedisPubSubConnection<String, String> subscription;
    private volatile boolean closed;

    /**
     * @param commands the backend's connection, for the reads that catch what was stored before a wait
     * @param clientName the subscription's name in CLIENT LIST
     */
    RedisResultListener(RedisClient client, StatefulRedisConnection<String, String> commands, String keyPrefix,
            String clientName) {
        this.client = client;
        this.commands = commands;
        this.keyPrefix = keyPrefix;
        this.clientName = clientName;
    }

    CompletableFuture<TaskResult> whenReady(String taskId) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("result backend closed"));
        }
        CompletableFuture<TaskResult> future = new CompletableFuture<>();
        ResultWaiters.Await registered = waiters.await(taskId, future);
        if (registered.early() != null) {
            future.complete(registered.early());
            return future;
        }
        future.whenComplete((r, e) -> waiters.remove(taskId, future));
        try {
            ensureSubscribed();
        } catch (RuntimeException ex) {
            future.completeExceptionally(ex);
            return future;
        }
        if (!registered.mustRead()) {
            return future; // expected while subscribed: its result is published to us, or read on resubscribing
        }
        // Subscribed first, read second: a result stored in between is both read and published.
        commands.async().get(key(taskId)).thenAccept(json -> {
            if (json != null) {
                offer(taskId, json);
            }
        });
        return future;
    }

    void expect(String taskId) {
        if (closed) {
            return;
        }
        try {
            ensureSubscribed();
        } catch (RuntimeException ex) {
            return; // whenReady will say why
        }
        waiters.expect(taskId);
    }

    /** Drops what is kept for an expected task: its result was deleted. */
    void forget(String taskId) {
        waiters.forget(taskId);
    }

    /** Unsubscribes and fails every waiter; later waits fail at once. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            var sub = subscription;
            if (sub != null) {
                sub.close();
            }
        }
        waiters.clear().forEach(f -> f.completeExceptionally(new CancellationException("result backend closed")));
        wakeUps.shutdown();
    }

    int waitingTasks() {
        return waiters.waitingTasks();
    }

    int expectedTasks() {
        return waiters.unclaimed();
    }

    private String key(String taskId) {
        return keyPrefix + RedisResultBackend.TASK_KEY_PREFIX + taskId;
    }

    private void ensureSubscribed() {
        if (subscription != null) {
            return;
        }
        synchronized (this) {
            if (subscription != null) {
                return;
            }
            if (closed) {
                throw new IllegalStateException("result backend closed");
            }
            StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub(StringCodec.UTF8);
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    offer(channel.substring(keyPrefix.length() + RedisResultBackend.TASK_KEY_PREFIX.length()), message);
                }

                @Override
                public void psubscribed(String pattern, long count) {
                    // Also called when Lettuce resubscribes after a reconnect: read what was missed.
                    recheckWaiters();
                }
            });
            try {
                sub.sync().clientSetname(clientName);
                sub.sync().psubscribe(escapeGlob(keyPrefix) + RedisResultBackend.TASK_KEY_PREFIX + "*");
            } catch (RuntimeException ex) {
                sub.close();
                throw ex;
            }
            subscription = sub;
        }
    }

    private void offer(String taskId, String json) {
        if (!waiters.wants(taskId)) {
            return;
        }
        TaskResult result = ResultCodec.decode(taskId, json);
        if (!result.state().isReady()) {
            return;
        }
        List<CompletableFuture<TaskResult>> woken = waiters.arrived(taskId, result);
        if (!woken.isEmpty()) {
            try {
                wakeUps.execute(() -> woken.forEach(f -> f.complete(result)));
            } catch (RejectedExecutionException ex) {
                // Closed meanwhile; these waiters are out of the map that close() fails, so answer them here.
                woken.forEach(f -> f.complete(result));
            }
        }
    }

    private void recheckWaiters() {
        List<String> ids = List.copyOf(waiters.ids());
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + 500));
            commands.async().mget(batch.stream().map(this::key).toArray(String[]::new)).thenAccept(values -> {
                for (int i = 0; i < values.size(); i++) {
                    KeyValue<String, String> kv = values.get(i);
                    if (kv.hasValue()) {
                        offer(batch.get(i), kv.getValue());
                    }
                }
            });
        }
    }

    private static String escapeGlob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
