package dev.bullpen.producer.task;

import dev.bullpen.autoconfigure.ResultProperties;
import dev.bullpen.producer.task.IdempotencyRecord.Pending;
import dev.bullpen.producer.task.IdempotencyRecord.Published;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Idempotency records in Redis, one key per {@code Idempotency-Key}:
 * {@code <bullpen.result.key-prefix>bullpen-idem-<sha256 of the key>}, beside the results. Each change is
 * one script, so that two producers racing on a key see one winner, and a claimant only ever settles
 * or releases its own claim.
 *
 * @see IdempotencyRecord
 */
@Component
class IdempotencyStore {

    /** SET NX that also answers what is there when it is taken, in one round trip. */
    private static final RedisScript<String> CLAIM = RedisScript.of("""
            local current = redis.call('GET', KEYS[1])
            if current then return current end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return false
            """, String.class);
    private static final RedisScript<Long> SETTLE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 1
            """, Long.class);
    private static final RedisScript<Long> RELEASE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            return redis.call('DEL', KEYS[1])
            """, Long.class);

    private final StringRedisTemplate redis;
    private final String keyPrefix;

    IdempotencyStore(StringRedisTemplate redis, ResultProperties results) {
        this.redis = redis;
        this.keyPrefix = results.keyPrefix();
    }

    /**
     * Claims the key for {@code claim} unless it is taken.
     *
     * @param lease how long the claim holds if it is neither settled nor released, e.g. because the
     *        producer died while publishing
     * @return null when the key is now this claim's, else what holds it
     * @throws IdempotencyException when Redis cannot be reached
     */
    @Nullable IdempotencyRecord claim(IdempotencyKey key, Pending claim, Duration lease) {
        String current = call(() -> redis.execute(CLAIM, List.of(redisKey(key)), IdempotencyRecord.encode(claim),
                millis(lease)));
        return current == null ? null : IdempotencyRecord.decode(current);
    }

    /**
     * Turns the claim into the key's record, kept for {@code ttl} from now.
     *
     * @return false when the claim is no longer there (it lapsed)
     */
    boolean settle(IdempotencyKey key, Pending claim, Duration ttl) {
        String published = IdempotencyRecord.encode(new Published(claim.taskId(), claim.fingerprint()));
        Long done = call(() -> redis.execute(SETTLE, List.of(redisKey(key)), IdempotencyRecord.encode(claim),
                published, millis(ttl)));
        return done != null && done == 1L;
    }

    /**
     * Gives the key up, so that a repeat of the request can publish.
     *
     * @return false when the claim is no longer there (it lapsed)
     */
    boolean release(IdempotencyKey key, Pending claim) {
        Long done = call(() -> redis.execute(RELEASE, List.of(redisKey(key)), IdempotencyRecord.encode(claim)));
        return done != null && done == 1L;
    }

    /** What holds the key now, or null. */
    @Nullable IdempotencyRecord read(IdempotencyKey key) {
        String current = call(() -> redis.opsForValue().get(redisKey(key)));
        return current == null ? null : IdempotencyRecord.decode(current);
    }

    String redisKey(IdempotencyKey key) {
        return key.redisKey(keyPrefix);
    }

    private static String millis(Duration duration) {
        return Long.toString(Math.max(1, duration.toMillis()));
    }

    private static <T> @Nullable T call(Supplier<@Nullable T> command) {
        try {
            return command.get();
        } catch (DataAccessException ex) {
            throw IdempotencyException.unavailable(ex);
        }
    }
}
