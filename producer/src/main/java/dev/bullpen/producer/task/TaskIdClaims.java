package dev.bullpen.producer.task;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.autoconfigure.ResultProperties;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.RedisResultBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Which caller-chosen task ids are taken. A caller's {@code task_id} is claimed in Redis before its
 * task is published, as {@code <bullpen.result.key-prefix>bullpen-claimed-<id>} beside the result key,
 * and refused (409) while either key exists: no one can publish a second task under an id that has
 * a result or a task in flight, and so forge another caller's result or read it.
 *
 * <ul>
 * <li>The check and the claim are one script, so two producers racing on an id see one winner. The
 *     claim first holds for a lease (the confirm timeout plus {@link #LEASE_MARGIN}); once the broker
 *     has confirmed the task it is extended to the result expiry plus the task's delay (countdown or
 *     eta), after which the result, if any, is gone too. So a producer that dies between the claim
 *     and the publish blocks the id for the lease only. A failed publish releases the claim.</li>
 * <li>A batch claims all its ids in one script: one round trip, all or none.</li>
 * <li>Random ids (no {@code task_id}) are not recorded: 122 random bits cannot collide, and only
 *     the submitter learns one. Recording them cost a quarter of the producer's submit throughput
 *     (a Redis command per task) and a Redis key per task for a day.</li>
 * </ul>
 *
 * <p>Lettuce on a connection of its own, as the result backend has, rather than a Spring template:
 * half the producer's CPU for a submission with a {@code task_id} went into the two commands through
 * the template. Settling is not waited for: the lease covers it.
 *
 * <p>Not covered: tasks published straight to the broker (Python Celery clients, the Java
 * {@code TaskClient}, schedules and workflows, whose ids are random or keyed) never pass here.
 */
@Component
class TaskIdClaims implements DisposableBean {

    /** Before a claimed id in its key (after the key prefix). */
    static final String KEY_PREFIX = "bullpen-claimed-";
    /** Beyond the confirm timeout, for the broker RPCs and Redis commands around a publish. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

    /**
     * KEYS: n claim keys, then the n result keys. ARGV: the token, then the lease in ms. Returns the
     * 0-based index of the first taken id (claiming none), or -1 when all are claimed.
     */
    private static final String CLAIM = """
            local n = #KEYS / 2
            for i = 1, n do
              if redis.call('EXISTS', KEYS[i], KEYS[n + i]) > 0 then return i - 1 end
            end
            for i = 1, n do
              redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
            end
            return -1
            """;
    /** KEYS: claim keys. ARGV: the token, then each key's time to live in ms (0: none). Only the token's own claims. */
    private static final String SETTLE = """
            for i = 1, #KEYS do
              if redis.call('GET', KEYS[i]) == ARGV[1] then
                local ttl = tonumber(ARGV[1 + i])
                if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) else redis.call('PERSIST', KEYS[i]) end
              end
            end
            return 1
            """;
    private static final String RELEASE = """
            for i = 1, #KEYS do
              if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
            end
            return 1
            """;

    /** A caller's id to claim, with the options that say how long it must stay taken. */
    record Claim(String taskId, TaskOptions options) {
    }

    /** Claims one request holds, to settle or release; the token marks them as its own. */
    record Held(String token, List<String> taskIds, List<Duration> ttls) {
    }

    private final StatefulRedisConnection<String, String> commands;
    private final String claimSha;
    private final String settleSha;
    private final String keyPrefix;
    private final Duration resultExpires;
    private final Duration lease;

    TaskIdClaims(LettuceConnectionFactory redis, ResultProperties results, ClientProperties client) {
        if (!(redis.getRequiredNativeClient() instanceof RedisClient lettuce)) {
            throw new IllegalArgumentException("task id claims support standalone Redis only");
        }
        this.commands = lettuce.connect(StringCodec.UTF8);
        commands.setTimeout(Duration.ofMillis(redis.getTimeout()));
        this.claimSha = commands.sync().scriptLoad(CLAIM);
        this.settleSha = commands.sync().scriptLoad(SETTLE);
        this.keyPrefix = results.keyPrefix();
        this.resultExpires = results.expires();
        this.lease = client.confirmTimeout().plus(LEASE_MARGIN);
    }

    @Override
    public void destroy() {
        commands.close();
    }

    /**
     * Claims the ids for their lease in one round trip, if none of them is taken.
     *
     * @param batchIndexes each claim's index in its batch, or null for a single submission
     * @throws TaskIdException 409 naming the first id that is taken (and its index in the batch;
     *         nothing is claimed then), or 503 when Redis cannot be reached
     */
    Held claim(List<Claim> claims, @Nullable List<Integer> batchIndexes) {
        Instant now = Instant.now();
        List<String> keys = new ArrayList<>(claims.size() * 2);
        claims.forEach(c -> keys.add(key(c.taskId())));
        claims.forEach(c -> keys.add(keyPrefix + RedisResultBackend.TASK_KEY_PREFIX + c.taskId()));
        String token = UUID.randomUUID().toString();
        Long taken;
        String[] k = keys.toArray(String[]::new);
        try {
            try {
                taken = commands.sync().evalsha(claimSha, ScriptOutputType.INTEGER, k, token, millis(lease));
            } catch (RedisNoScriptException ex) {
                // Redis lost its script cache (restart or SCRIPT FLUSH).
                taken = commands.sync().eval(CLAIM, ScriptOutputType.INTEGER, k, token, millis(lease));
            }
        } catch (RedisException ex) {
            throw TaskIdException.unavailable(claims.getFirst().taskId(), ex);
        }
        if (taken != null && taken >= 0) {
            int at = taken.intValue();
            throw TaskIdException.taken(claims.get(at).taskId(), batchIndexes == null ? null : batchIndexes.get(at));
        }
        return new Held(token, claims.stream().map(Claim::taskId).toList(),
                claims.stream().map(c -> ttl(c.options(), now)).toList());
    }

    /**
     * The tasks were confirmed: their claims, but those of {@code unsent}, hold for the result expiry
     * plus their delay. Not waited for; the future completes when Redis has answered.
     */
    CompletableFuture<?> settle(Held held, Set<String> unsent) {
        List<String> keys = new ArrayList<>(held.taskIds().size());
        List<String> args = new ArrayList<>(1 + held.taskIds().size());
        args.add(held.token());
        for (int i = 0; i < held.taskIds().size(); i++) {
            if (!unsent.contains(held.taskIds().get(i))) {
                keys.add(key(held.taskIds().get(i)));
                args.add(millis(held.ttls().get(i)));
            }
        }
        if (keys.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String[] k = keys.toArray(String[]::new);
        String[] a = args.toArray(String[]::new);
        return commands.async().evalsha(settleSha, ScriptOutputType.INTEGER, k, a).toCompletableFuture()
                .exceptionallyCompose(ex -> ex instanceof RedisNoScriptException || ex.getCause() instanceof RedisNoScriptException
                        ? commands.async().eval(SETTLE, ScriptOutputType.INTEGER, k, a).toCompletableFuture()
                        : CompletableFuture.failedFuture(ex));
    }

    /** Nothing was published for these: their ids are free again. */
    void release(Held held, Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return;
        }
        commands.sync().eval(RELEASE, ScriptOutputType.INTEGER, taskIds.stream().map(this::key).toArray(String[]::new),
                held.token());
    }

    String key(String taskId) {
        return keyPrefix + KEY_PREFIX + taskId;
    }

    /**
     * How long an id stays taken: until its result would expire, counted from when the task may
     * start. Results kept forever ({@code bullpen.result.expires} 0) keep their claims forever too.
     */
    Duration ttl(TaskOptions options, Instant now) {
        if (resultExpires.isNegative() || resultExpires.isZero()) {
            return Duration.ZERO;
        }
        Instant startAfter = options.startAfter(now);
        return startAfter != null && startAfter.isAfter(now) ? resultExpires.plus(Duration.between(now, startAfter))
                : resultExpires;
    }

    private static String millis(Duration ttl) {
        return Long.toString(ttl.isZero() ? 0 : Math.max(1, ttl.toMillis()));
    }
}
