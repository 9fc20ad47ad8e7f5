package dev.bullpen.result;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Results in Redis, in Celery's format: key {@code celery-task-meta-<id>} holding the result meta
 * JSON, written with {@code SETEX} and {@code PUBLISH}ed on a channel named like the key.
 *
 * <p>Writes are one atomic script ({@code StoreScript}) that also refuses a write the stored state may
 * not move to ({@link TaskState#canMoveTo}): a late STARTED over a FAILURE, anything over a SUCCESS.
 *
 * <p>Waiting uses one pattern subscription for the whole backend rather than one per task; a waiter
 * registers, then reads the key once to catch a result that was stored before it arrived, and every
 * (re)subscription after a reconnect reads again for all waiters, so nothing is missed and nothing polls. A task the client
 * {@linkplain #expect expects} before sending it skips that read: it is listened for from before it
 * could have a result.
 *
 * <p>Uses the Lettuce client of a Spring Data Redis {@link LettuceConnectionFactory} (standalone Redis).
 */
public final class RedisResultBackend implements ResultBackend {

    /** Celery's key and channel prefix for task results. */
    public static final String TASK_KEY_PREFIX = "celery-task-meta-";

    /** What {@code bullpen.result.max-bytes} is by default: large for a result, small beside a worker's heap. */
    public static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(RedisResultBackend.class);

    private final RedisClient client;
    private final long maxBytes;
    private final String limitWhy;
    private final String keyPrefix;
    private final String expiresSeconds;
    private final StatefulRedisConnection<String, String> commands;
    private final String storeSha;
    private final RedisGroups groups;
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
     * @param factory a started connection factory
     * @param keyPrefix prepended to every key, as Celery's {@code global_keyprefix}; may be empty
     * @param expires how long results are kept, rounded up to whole seconds; zero or negative keeps
     *        them forever
     */
    public RedisResultBackend(LettuceConnectionFactory factory, String keyPrefix, Duration expires) {
        this(factory, keyPrefix, expires, DEFAULT_MAX_BYTES);
    }

    /**
     * @param maxBytes the largest result stored ({@code bullpen.result.max-bytes}); lowered to what
     *        Redis itself takes in one argument ({@code proto-max-bulk-len}) when that is less: Redis
     *        drops the connection on a larger one, with every other command on it
     */
    public RedisResultBackend(LettuceConnectionFactory factory, String keyPrefix, Duration expires, long maxBytes) {
        if (!(factory.getRequiredNativeClient() instanceof RedisClient redis)) {
            throw new IllegalArgumentException("RedisResultBackend supports standalone Redis only");
        }
        this.client = redis;
        this.keyPrefix = keyPrefix;
        // SETEX takes whole seconds; round up so that a short positive expiry never means "forever".
        this.expiresSeconds = Long.toString(expires.isNegative() || expires.isZero() ? 0
                : expires.plusNanos(999_999_999).toSeconds());
        this.commands = client.connect(StringCodec.UTF8);
        commands.sync().clientSetname(clientName("bullpen-results"));
        this.storeSha = commands.sync().scriptLoad(StoreScript.SOURCE);
        this.groups = new RedisGroups(commands, keyPrefix, expiresSeconds);
        long redisMax = protoMaxBulkLen(commands);
        if (redisMax > 0 && redisMax < maxBytes) {
            log.info("Results are limited to {} bytes, Redis's proto-max-bulk-len, under {} ({} bytes)", redisMax,
                    ResultTooLargeException.MAX_BYTES, maxBytes);
            this.maxBytes = redisMax;
            this.limitWhy = "Redis takes in one value (its proto-max-bulk-len)";
        } else {
            this.maxBytes = maxBytes;
            this.limitWhy = ResultTooLargeException.CONFIGURED;
        }
    }

    /** Redis's largest argument, or -1 where CONFIG is not allowed (managed services often rename it). */
    private static long protoMaxBulkLen(StatefulRedisConnection<String, String> connection) {
        try {
            Map<String, String> config = connection.sync().configGet("proto-max-bulk-len");
            String value = config.get("proto-max-bulk-len");
            return value == null ? -1 : Long.parseLong(value);
        } catch (RuntimeException ex) {
            return -1;
        }
    }

    /** The largest result this backend stores, in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** The Redis key that holds a task's result. */
    public String key(String taskId) {
        return keyPrefix + TASK_KEY_PREFIX + taskId;
    }

    @Override
    public boolean store(TaskResult result) {
        String[] keys = {key(result.taskId())};
        String json = ResultCodec.encode(result);
        ResultCodec.requireWithin(result, json, maxBytes, limitWhy);
        String notReplaced = StoreScript.notReplacedBy(result.state());
        Long written;
        try {
            try {
                written = commands.sync().evalsha(storeSha, ScriptOutputType.INTEGER, keys, json, expiresSeconds,
                        notReplaced);
            } catch (RedisNoScriptException ex) {
                // Redis lost its script cache (restart or SCRIPT FLUSH).
                written = commands.sync().eval(StoreScript.SOURCE, ScriptOutputType.INTEGER, keys, json, expiresSeconds,
                        notReplaced);
            }
        } catch (RedisCommandExecutionException ex) {
            throw new ResultStoreRefusedException("Redis refused the result of task " + result.taskId() + " ("
                    + json.length() + " chars): " + ex.getMessage(), ex);
        }
        return written != null && written == 1L;
    }

    @Override
    public TaskResult get(String taskId) {
        String json = commands.sync().get(key(taskId));
        return json == null ? TaskResult.pending(taskId) : ResultCodec.decode(taskId, json);
    }

    @Override
    public List<TaskResult> getAll(List<String> taskIds) {
        List<TaskResult> out = new ArrayList<>(taskIds.size());
        for (int from = 0; from < taskIds.size(); from += 500) {
            List<String> batch = taskIds.subList(from, Math.min(taskIds.size(), from + 500));
            List<KeyValue<String, String>> values = commands.sync().mget(batch.stream().map(this::key).toArray(String[]::new));
            for (int i = 0; i < batch.size(); i++) {
                KeyValue<String, String> kv = values.get(i);
                out.add(kv.hasValue() ? ResultCodec.decode(batch.get(i), kv.getValue()) : TaskResult.pending(batch.get(i)));
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<TaskResult> whenReady(String taskId) {
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

    /** Subscribes, if not yet, and remembers the task, so that its {@link #whenReady} need not read the key. */
    @Override
    public void expect(String taskId) {
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

    @Override
    public void forget(String taskId) {
        commands.sync().del(key(taskId));
        waiters.forget(taskId);
    }

    /** The Redis key that holds a saved group ({@code celery-taskset-meta-<id>}); chord keys add {@code .j .t .s}. */
    public String groupKey(String groupId) {
        return groups.key(groupId);
    }

    @Override
    public void saveGroup(String groupId, List<String> memberIds) {
        groups.save(groupId, memberIds);
    }

    @Override
    public Optional<List<String>> group(String groupId) {
        return groups.members(groupId);
    }

    @Override
    public void setChordSize(String groupId, int size) {
        groups.setChordSize(groupId, size);
    }

    @Override
    public ChordProgress chordPartReturn(String groupId, @Nullable Integer groupIndex, ChordEntry entry, int sizeHint) {
        return groups.partReturn(groupId, groupIndex, entry, sizeHint);
    }

    @Override
    public void forgetChord(String groupId) {
        groups.forgetChord(groupId);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (this) {
            var sub = subscription;
            if (sub != null) {
                sub.close();
            }
        }
        commands.close();
        waiters.clear().forEach(f -> f.completeExceptionally(new CancellationException("result backend closed")));
        wakeUps.shutdown();
    }

    /** How many task ids have waiters now; for tests that check waiters are let go. */
    int waitingTasks() {
        return waiters.waitingTasks();
    }

    /** How many sent tasks are expected and not waited for yet; for tests. */
    int expectedTasks() {
        return waiters.unclaimed();
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
                    offer(channel.substring(keyPrefix.length() + TASK_KEY_PREFIX.length()), message);
                }

                @Override
                public void psubscribed(String pattern, long count) {
                    // Also called when Lettuce resubscribes after a reconnect: read what was missed.
                    recheckWaiters();
                }
            });
            try {
                sub.sync().clientSetname(clientName("bullpen-results-sub"));
                sub.sync().psubscribe(escapeGlob(keyPrefix) + TASK_KEY_PREFIX + "*");
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

    /**
     * A name for CLIENT LIST, with the key prefix so that each application's connections can be told
     * apart (and, in tests, one backend's connection found); Lettuce restores it after a reconnect.
     */
    private String clientName(String role) {
        return keyPrefix.isEmpty() ? role : role + ":" + keyPrefix.replaceAll("\\s", "_");
    }

    private static String escapeGlob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
