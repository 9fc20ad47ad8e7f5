package dev.bullpen.revoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.test.BullpenServices;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis revocations pass the contract on the real Redis; the keys, their expiry and the reload are checked here. */
class RedisRevocationsIntegrationTests extends RevocationsContract {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    private static final Duration TTL = Duration.ofHours(2);

    @Override
    protected Revocations createRevocations() {
        return new RedisRevocations(services.redisConnectionFactory(), services.redisPrefix(), TTL);
    }

    /** The key prefix of each capped instance, so that its peer shares its store. */
    private final Map<Revocations, String> prefixes = new ConcurrentHashMap<>();

    @Override
    protected Revocations createPeer(Revocations revocations) {
        String prefix = prefixes.getOrDefault(revocations, services.redisPrefix());
        return new RedisRevocations(services.redisConnectionFactory(), prefix, TTL);
    }

    @Override
    protected Revocations createCapped(int max, MeterRegistry meters) {
        // A prefix of its own: the cap counts every id under a prefix, and the other tests' ids are there.
        String prefix = services.redisPrefix() + "capped-" + UUID.randomUUID() + ":";
        Revocations capped = new RedisRevocations(services.redisConnectionFactory(), prefix, TTL, max, meters);
        prefixes.put(capped, prefix);
        return capped;
    }

    @Override
    protected Duration timeToLive() {
        return TTL;
    }

    @Test
    void aDroppedRevocationLeavesNeitherItsKeyNorItsIndexEntry() {
        String prefix = services.redisPrefix() + "capped-" + UUID.randomUUID() + ":";
        String oldest = newTaskId();
        String newest = newTaskId();
        try (RedisRevocations capped = new RedisRevocations(services.redisConnectionFactory(), prefix, TTL, 1,
                new SimpleMeterRegistry()); StatefulRedisConnection<String, String> raw = client().connect(StringCodec.UTF8)) {
            capped.revoke(oldest, false);
            capped.revoke(newest, false);

            assertThat(raw.sync().exists(capped.key(oldest))).isZero();
            assertThat(raw.sync().zrange(prefix + RedisRevocations.INDEX, 0, -1)).containsExactly(newest);
            assertThat(raw.sync().pttl(prefix + RedisRevocations.INDEX)).isBetween(TTL.toMillis() - 60_000, TTL.toMillis());
        }
    }

    private RedisClient client() {
        return (RedisClient) services.redisConnectionFactory().getRequiredNativeClient();
    }

    @Test
    void aRevocationIsAKeyUnderThePrefixThatExpires() {
        String id = newTaskId();

        revocations.revoke(id, false);

        try (StatefulRedisConnection<String, String> raw = client().connect(StringCodec.UTF8)) {
            String key = services.redisPrefix() + "bullpen-revoked-" + id;
            assertThat(((RedisRevocations) revocations).key(id)).isEqualTo(key);
            assertThat(raw.sync().get(key)).contains("\"id\":\"" + id + "\"").contains("\"terminate\":false");
            assertThat(raw.sync().ttl(key)).isBetween(TTL.toSeconds() - 60, TTL.toSeconds());
        }
    }

    @Test
    void aWatcherAnswersFromMemoryWithoutAskingRedis() {
        String id = newTaskId();
        revocations.revoke(id, false);
        peer.watch(r -> { });

        try (StatefulRedisConnection<String, String> raw = client().connect(StringCodec.UTF8)) {
            raw.sync().del(((RedisRevocations) revocations).key(id));
        }

        assertThat(peer.isRevoked(id)).as("the watcher's copy: no round trip").isTrue();
        assertThat(revocations.isRevoked(id)).as("not watching: asks Redis").isFalse();
    }

    @Test
    void aWatcherThatLostItsConnectionLoadsWhatItMissed() {
        RedisRevocations watcher = (RedisRevocations) peer;
        watcher.watch(r -> { });
        String id = newTaskId();
        try (StatefulRedisConnection<String, String> raw = client().connect(StringCodec.UTF8)) {
            // Stored without a PUBLISH, as if the message went out while the watcher was disconnected.
            long expires = System.currentTimeMillis() + 60_000;
            raw.sync().setex(watcher.key(id), 60, "{\"id\":\"" + id + "\",\"terminate\":false,\"expires\":" + expires + "}");
            assertThat(watcher.isRevoked(id)).isFalse();

            // Drop only the watcher's subscriber connection; Lettuce reconnects and subscribes again.
            assertThat(killClients(raw, "bullpen-revocations-sub:" + services.redisPrefix())).hasSize(1);

            await().atMost(REACH).until(() -> watcher.isRevoked(id));
        }
        // And it goes on hearing published revocations.
        String next = newTaskId();
        revocations.revoke(next, false);
        await().atMost(REACH).until(() -> watcher.isRevoked(next));
    }

    /** CLIENT KILL by id, for the connections with exactly this name (ours: the name holds our prefix). */
    private static List<String> killClients(StatefulRedisConnection<String, String> raw, String name) {
        List<String> ids = new ArrayList<>();
        for (String line : raw.sync().clientList().split("\n")) {
            String id = null;
            String clientName = null;
            for (String field : line.trim().split(" ")) {
                if (field.startsWith("id=")) {
                    id = field.substring(3);
                } else if (field.startsWith("name=")) {
                    clientName = field.substring(5);
                }
            }
            if (name.equals(clientName) && id != null) {
                raw.sync().clientKill(KillArgs.Builder.id(Long.parseLong(id)));
                ids.add(id);
            }
        }
        return ids;
    }
}
