package dev.bullpen.result;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * <p>Waiting ({@code RedisResultListener}) uses one pattern subscription for the whole backend rather
 * than one per task, and reads what was stored before a wait began, so nothing is missed and nothing
 * polls.
 *
 * <p>Uses the Lettuce client of a Spring Data Redis {@link LettuceConnectionFactory} (standalone Redis).
 */
public final class RedisResultBackend implements ResultBackend {

    /** Celery's key and channel prefix for task results. */
    public static final String TASK_KEY_PREFIX = "celery-task-meta-";

    /** What {@code bullpen.result.max-bytes} is by default: large for a result, small beside a worker's heap. */
    public static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(RedisResultBackend.class);

    private final long maxBytes;
    private final String limitWhy;
    private final String keyPrefix;
    private final String expiresSeconds;
    private final StatefulRedisConnection<String, String> commands;
    private final String storeSha;
    private final RedisGroups groups;
    private final RedisResultListener listener;
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
        this.keyPrefix = keyPrefix;
        // SETEX takes whole seconds; round up so that a short positive expiry never means "forever".
        this.expiresSeconds = Long.toString(expires.isNegative() || expires.isZero() ? 0
                : expires.plusNanos(999_999_999).toSeconds());
        this.commands = redis.connect(StringCodec.UTF8);
        commands.sync().clientSetname(clientName("bullpen-results"));
        this.storeSha = commands.sync().scriptLoad(StoreScript.SOURCE);
        this.groups = new RedisGroups(commands, keyPrefix, expiresSeconds);
        this.listener = new RedisResultListener(redis, commands, keyPrefix, clientName("bullpen-results-sub"));
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
        return listener.whenReady(taskId);
    }

    /** Subscribes, if not yet, and remembers the task, so that its {@link #whenReady} need not read the key. */
    @Override
    public void expect(String taskId) {
        listener.expect(taskId);
    }

    @Override
    public void forget(String taskId) {
        commands.sync().del(key(taskId));
        listener.forget(taskId);
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
        listener.close();
        commands.close();
    }

    /** How many task ids have waiters now; for tests that check waiters are let go. */
    int waitingTasks() {
        return listener.waitingTasks();
    }

    /** How many sent tasks are expected and not waited for yet; for tests. */
    int expectedTasks() {
        return listener.expectedTasks();
    }

    /**
     * A name for CLIENT LIST, with the key prefix so that each application's connections can be told
     * apart (and, in tests, one backend's connection found); Lettuce restores it after a reconnect.
     */
    private String clientName(String role) {
        return keyPrefix.isEmpty() ? role : role + ":" + keyPrefix.replaceAll("\\s", "_");
    }
}
