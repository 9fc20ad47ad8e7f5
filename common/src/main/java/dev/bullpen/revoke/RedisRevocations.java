package dev.bullpen.revoke;

import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.CeleryJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Revocations in Redis: one key per revoked id, {@code bullpen-revoked-<id>} under the key prefix,
 * expiring after the time to live, and a message on the channel {@code bullpen-revoked} for each
 * revocation, written together by one script.
 *
 * <p>Their number is capped: anyone who may revoke may revoke arbitrary ids, and each costs every
 * watching worker memory. A sorted set {@code bullpen-revocations} indexes the ids by when they were
 * last revoked; the script that stores a revocation drops the oldest beyond the cap (key and index
 * entry) and returns how many it dropped, which {@link MeterNames#REVOCATIONS_DROPPED} counts. A
 * watcher's copy in memory is held to the cap too, give or take a slack that keeps its pruning cheap.
 *
 * <p>A watching worker subscribes to the channel first and only then {@code SCAN}s the keys, so a
 * revocation made in between is seen one way or the other; every resubscription after a reconnect
 * scans again. From then on {@link #isRevoked} is a lookup in memory: no round trip per task.
 */
public final class RedisRevocations implements Revocations {

    /** Before a revoked id in its key (after the configured key prefix). */
    public static final String KEY_PREFIX = "bullpen-revoked-";
    /** The channel revocations are announced on (after the configured key prefix). */
    public static final String CHANNEL = "bullpen-revoked";

    private static final Logger log = LoggerFactory.getLogger(RedisRevocations.class);
    /** The sorted set of revoked ids by the epoch millisecond of their last revocation (after the key prefix). */
    public static final String INDEX = "bullpen-revocations";
    /** Ten times Celery's {@code REVOKES_MAX}, which bounds a worker's revocations in memory. */
    public static final int DEFAULT_MAX = 100_000;

    /**
     * KEYS: the id's key, the channel, the index. ARGV: the revocation, ttl ms, now ms, the cap, the id,
     * the key prefix of revoked ids. The keys it drops are derived from the index, so this script is
     * for a standalone Redis only, as this class is.
     */
    private static final String REVOKE_SCRIPT = """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            -- Scores keep the order revocations were stored in, even within one millisecond: the cap
            -- drops the oldest, and a renewed one counts as the newest.
            local score = tonumber(ARGV[3])
            local top = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
            if top[2] and tonumber(top[2]) >= score then
              score = tonumber(top[2]) + 0.01
            end
            redis.call('ZADD', KEYS[3], string.format('%.3f', score), ARGV[5])
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (tonumber(ARGV[3]) - tonumber(ARGV[2])))
            local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
            local dropped = 0
            if over > 0 then
              -- Oldest first, with one to spare: the one stored now is never the one dropped.
              local oldest = redis.call('ZRANGE', KEYS[3], 0, over)
              for _, id in ipairs(oldest) do
                if dropped < over and id ~= ARGV[5] then
                  redis.call('ZREM', KEYS[3], id)
                  redis.call('DEL', ARGV[6] .. id)
                  dropped = dropped + 1
                end
              end
            end
            redis.call('PEXPIRE', KEYS[3], ARGV[2])
            redis.call('PUBLISH', KEYS[2], ARGV[1])
            return dropped
            """;
    /** Forget expired ids in memory every this many revocations seen, so the copy stays as small as Redis's. */
    private static final int PRUNE_EVERY = 1024;

    private final RedisClient client;
    private final String keyPrefix;
    private final Duration ttl;
    private final int max;
    private final Counter dropped;
    private final StatefulRedisConnection<String, String> commands;
    private final Map<String, Revocation> local = new ConcurrentHashMap<>();
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger seen = new AtomicInteger();
    private volatile @Nullable StatefulRedisPubSubConnection<String, String> subscription;
    private volatile boolean closed;

    /**
     * @param factory a started connection factory (standalone Redis)
     * @param keyPrefix prepended to the keys and the channel, like the results' {@code global_keyprefix}
     * @param ttl how long a revocation holds
     */
    public RedisRevocations(LettuceConnectionFactory factory, String keyPrefix, Duration ttl) {
        this(factory, keyPrefix, ttl, DEFAULT_MAX, Metrics.globalRegistry);
    }

    /**
     * @param factory a started connection factory (standalone Redis)
     * @param keyPrefix prepended to the keys and the channel, like the results' {@code global_keyprefix}
     * @param ttl how long a revocation holds
     * @param max how many revocations are kept at most; beyond it the oldest are dropped
     * @param meters where {@link MeterNames#REVOCATIONS_DROPPED} is counted
     */
    public RedisRevocations(LettuceConnectionFactory factory, String keyPrefix, Duration ttl, int max,
            MeterRegistry meters) {
        if (!(factory.getRequiredNativeClient() instanceof RedisClient redis)) {
            throw new IllegalArgumentException("RedisRevocations supports standalone Redis only");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("bullpen.revoke.ttl must be positive, got " + ttl);
        }
        if (max < 1) {
            throw new IllegalArgumentException("bullpen.revoke.max must be at least 1, got " + max);
        }
        this.client = redis;
        this.keyPrefix = keyPrefix;
        this.ttl = ttl;
        this.max = max;
        this.dropped = RevocationMeters.dropped(meters);
        this.commands = client.connect(StringCodec.UTF8);
    }

    /** The Redis key that marks a task revoked. */
    public String key(String taskId) {
        return keyPrefix + KEY_PREFIX + taskId;
    }

    @Override
    public void revoke(String taskId, boolean terminate) {
        Instant now = Instant.now();
        Revocation revocation = new Revocation(taskId, terminate, now.plus(ttl));
        // EVAL rather than EVALSHA: revoking is rare, and this needs no reloading after a SCRIPT FLUSH.
        Long gone = commands.sync().eval(REVOKE_SCRIPT, ScriptOutputType.INTEGER,
                new String[] {key(taskId), keyPrefix + CHANNEL, keyPrefix + INDEX}, encode(revocation),
                Long.toString(Math.max(1, ttl.toMillis())), Long.toString(now.toEpochMilli()), Integer.toString(max),
                taskId, keyPrefix + KEY_PREFIX);
        if (gone != null && gone > 0) {
            dropped.increment(gone);
            log.warn("Revocations are capped at {} (bullpen.revoke.max): the {} oldest dropped, their tasks may run",
                    max, gone);
        }
        if (subscription != null) {
            learn(revocation); // the same instance sees its own revocation at once, not when the message is back
        }
    }

    @Override
    public boolean isRevoked(String taskId) {
        if (subscription != null) {
            Revocation revocation = local.get(taskId);
            return revocation != null && revocation.isActive(Instant.now());
        }
        Long exists = commands.sync().exists(key(taskId));
        return exists != null && exists > 0;
    }

    @Override
    public synchronized void watch(Consumer<Revocation> listener) {
        if (closed) {
            throw new IllegalStateException("revocations closed");
        }
        listeners.add(listener);
        if (subscription != null) {
            local.values().forEach(listener);
            return;
        }
        AtomicBoolean first = new AtomicBoolean(true);
        StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub(StringCodec.UTF8);
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                Revocation revocation = decode(message);
                if (revocation != null) {
                    learn(revocation);
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                // Called again when Lettuce resubscribes after a reconnect: load what was missed meanwhile.
                // Off the I/O thread, which the SCAN's replies must come back on.
                if (!first.getAndSet(false)) {
                    Thread.ofVirtual().name("bullpen-revocations-reload").start(RedisRevocations.this::reload);
                }
            }
        });
        try {
            // Named with the prefix so that CLIENT LIST tells each application's subscription apart.
            sub.sync().clientSetname("bullpen-revocations-sub" + (keyPrefix.isEmpty() ? "" : ":" + keyPrefix.replaceAll("\\s", "_")));
            sub.sync().subscribe(keyPrefix + CHANNEL);
            subscription = sub;
            reload();
        } catch (RuntimeException ex) {
            subscription = null;
            sub.close();
            throw ex;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        var sub = subscription;
        subscription = null;
        if (sub != null) {
            sub.close();
        }
        commands.close();
        listeners.clear();
    }

    private void reload() {
        if (closed) {
            return;
        }
        ScanArgs match = ScanArgs.Builder.matches(escapeGlob(keyPrefix) + KEY_PREFIX + "*").limit(1000);
        ScanCursor cursor = ScanCursor.INITIAL;
        int loaded = 0;
        try {
            do {
                KeyScanCursor<String> page = commands.sync().scan(cursor, match);
                if (!page.getKeys().isEmpty()) {
                    for (KeyValue<String, String> kv : commands.sync().mget(page.getKeys().toArray(String[]::new))) {
                        Revocation revocation = kv.hasValue() ? decode(kv.getValue()) : null;
                        if (revocation != null) {
                            learn(revocation);
                            loaded++;
                        }
                    }
                }
                cursor = page;
            } while (!cursor.isFinished());
            log.debug("Loaded {} revocation(s) under '{}'", loaded, keyPrefix);
        } catch (RuntimeException ex) {
            if (!closed) {
                log.warn("Could not load the stored revocations; revoked tasks may run until the next reconnect: {}",
                        ex.toString());
            }
        }
    }

    private void learn(Revocation revocation) {
        Instant now = Instant.now();
        if (!revocation.isActive(now)) {
            return;
        }
        @Nullable Revocation[] news = {null};
        local.compute(revocation.taskId(), (id, previous) -> {
            Revocation current = previous == null ? revocation : previous.renewedBy(revocation, now);
            news[0] = Revocation.isNews(previous, current, now) ? current : null;
            return current;
        });
        Revocation fresh = news[0];
        if (fresh != null) {
            for (Consumer<Revocation> listener : listeners) {
                try {
                    listener.accept(fresh);
                } catch (RuntimeException ex) {
                    log.warn("A revocation listener failed for {}: {}", revocation.taskId(), ex.toString());
                }
            }
        }
        if (seen.incrementAndGet() % PRUNE_EVERY == 0 || local.size() > max + slack()) {
            prune(now);
        }
    }

    /** How far a watcher's copy may grow past the cap before it is cut back: a sixteenth, so that a cut is rare. */
    private int slack() {
        return Math.max(16, max / 16);
    }

    /** Forgets expired ids and, past the cap, the oldest (first to expire), as Redis drops them. */
    private void prune(Instant now) {
        // Its own lock, not this instance's: watch() holds that through a whole reload.
        synchronized (local) {
            local.values().removeIf(r -> !r.isActive(now));
            int over = local.size() - max;
            if (over > 0) {
                local.values().stream().sorted(Comparator.comparing(Revocation::expiresAt)).limit(over).toList()
                        .forEach(r -> local.remove(r.taskId(), r));
            }
        }
    }

    private static String encode(Revocation revocation) {
        return CeleryJson.mapper().createObjectNode()
                .put("id", revocation.taskId())
                .put("terminate", revocation.terminate())
                .put("expires", revocation.expiresAt().toEpochMilli())
                .toString();
    }

    private static @Nullable Revocation decode(String json) {
        try {
            JsonNode node = CeleryJson.mapper().readTree(json);
            if (!node.path("id").isString() || !node.path("expires").isNumber()) {
                return null;
            }
            return new Revocation(node.get("id").stringValue(), node.path("terminate").asBoolean(false),
                    Instant.ofEpochMilli(node.get("expires").longValue()));
        } catch (JacksonException ex) {
            log.warn("Ignored a revocation that is not JSON: {}", ex.getOriginalMessage());
            return null;
        }
    }

    private static String escapeGlob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
