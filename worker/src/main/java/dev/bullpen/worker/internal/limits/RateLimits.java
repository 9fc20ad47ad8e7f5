package dev.bullpen.worker.internal.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The rate limits' token buckets, one per task in Redis ({@code <key-prefix>bullpen-rate-<task>}),
 * shared by every worker: Bucket4j's compare-and-swap buckets over Lettuce. Like Celery's, a bucket
 * holds one token and gains one per {@link RateLimit#interval()}, so starts are spaced evenly and
 * never burst past one.
 *
 * <p>Taking a token may <em>reserve</em> one a little ahead (Bucket4j's blocking consume): the
 * workers queue up in Redis for the coming tokens instead of all polling for the next one. A token
 * reserved by a worker that dies before it runs the task is simply lost, which errs on the slow side.
 *
 * <p>The connection is made on first use and re-made after a failed attempt; Lettuce reconnects an
 * established one by itself. While Redis does not answer within {@link #REQUEST_TIMEOUT} every take
 * throws {@link RateLimitUnavailable}: a limit that cannot be checked is not passed.
 */
public final class RateLimits implements AutoCloseable {

    /** Before the task name in its bucket's key (after the configured key prefix). */
    public static final String KEY_PREFIX = "bullpen-rate-";

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** An idle bucket is full again after one interval; its key stays a little longer, then goes. */
    private static final Duration KEEP_FULL_BUCKET = Duration.ofSeconds(10);

    /** What a take got. */
    sealed interface Token {

        /** The token is this caller's; it waited {@code waited} for it on its own thread (zero if none). */
        record Taken(Duration waited) implements Token {
        }

        /** No token within the allowed hold: the next one comes in about {@code delay}. Nothing was taken. */
        record NotBefore(Duration delay) implements Token {
        }
    }

    private record Connected(StatefulRedisConnection<String, byte[]> connection, ProxyManager<String> buckets) {
    }

    private final RedisClient client;
    private final String keyPrefix;
    private final Map<String, BucketProxy> buckets = new ConcurrentHashMap<>();
    private volatile @Nullable Connected connected;
    private volatile boolean closed;

    /**
     * @param factory a started connection factory (standalone Redis)
     * @param keyPrefix prepended to the keys, like the results' {@code global_keyprefix}
     */
    public RateLimits(LettuceConnectionFactory factory, String keyPrefix) {
        if (!(factory.getRequiredNativeClient() instanceof RedisClient redis)) {
            throw new IllegalArgumentException("RateLimits supports standalone Redis only");
        }
        this.client = redis;
        this.keyPrefix = keyPrefix;
    }

    /** The Redis key of a task's bucket. */
    String keyFor(String task) {
        return keyPrefix + KEY_PREFIX + task;
    }

    /**
     * Takes a token of {@code task}'s bucket, waiting for it on the calling thread (a virtual one) if
     * it comes within {@code hold}; with a zero hold, only a token there now.
     *
     * @throws RateLimitUnavailable when Redis cannot be asked
     * @throws InterruptedException when interrupted while waiting; the reserved token is lost
     */
    Token take(String task, RateLimit limit, Duration hold) throws InterruptedException {
        BucketProxy bucket = bucketFor(task, limit);
        AtomicLong waited = new AtomicLong();
        BlockingStrategy recordThenPark = nanos -> {
            waited.set(nanos);
            BlockingStrategy.PARKING.park(nanos);
        };
        boolean taken;
        long wait;
        try {
            // Bucket4j takes no zero wait for a blocking consume: that is the plain one.
            taken = hold.isPositive() ? bucket.asBlocking().tryConsume(1, hold.toNanos(), recordThenPark) : bucket.tryConsume(1);
            wait = taken ? 0 : bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
        } catch (RuntimeException ex) {
            throw new RateLimitUnavailable("rate limit of " + task + " (" + limit + ") cannot be checked in Redis ("
                    + ex + "); it does not run until Redis answers", ex);
        }
        return taken ? new Token.Taken(Duration.ofNanos(waited.get())) : new Token.NotBefore(Duration.ofNanos(wait));
    }

    private BucketProxy bucketFor(String task, RateLimit limit) {
        BucketProxy bucket = buckets.get(task);
        if (bucket != null) {
            return bucket;
        }
        ProxyManager<String> manager = connected().buckets();
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, limit.interval()).build())
                .build();
        // Workers configured differently (during a rolling change, say) would otherwise each keep
        // whichever configuration reached Redis first. The version is the interval, so the
        // strictest limit in use wins until its bucket idles and expires.
        return buckets.computeIfAbsent(task, t -> manager.builder()
                .withImplicitConfigurationReplacement(limit.interval().toNanos(), TokensInheritanceStrategy.AS_IS)
                .build(keyFor(t), () -> configuration));
    }

    private Connected connected() {
        Connected current = connected;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (closed) {
                throw new RateLimitUnavailable("rate limits are closed", null);
            }
            if (connected == null) {
                StatefulRedisConnection<String, byte[]> connection;
                try {
                    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
                } catch (RuntimeException ex) {
                    throw new RateLimitUnavailable("rate limits cannot reach Redis (" + ex
                            + "); rate-limited tasks do not run until it answers", ex);
                }
                ProxyManager<String> manager = Bucket4jLettuce.casBasedBuilder(connection)
                        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL_BUCKET))
                        .requestTimeout(REQUEST_TIMEOUT)
                        .build();
                connected = new Connected(connection, manager);
            }
            return connected;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        Connected current = connected;
        connected = null;
        buckets.clear();
        if (current != null) {
            current.connection().close();
        }
    }
}
