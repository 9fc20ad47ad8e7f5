package dev.bullpen.producer.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.autoconfigure.ResultProperties;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.producer.task.TaskIdClaims.Claim;
import dev.bullpen.producer.task.TaskIdClaims.Held;
import dev.bullpen.test.BullpenServices;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The claims of caller-chosen task ids on the real Redis: one script checks and claims, for a lease
 * first (what a producer that dies before publishing leaves behind), all of a batch or none; settling
 * extends only the claimant's own claims, releasing frees only those.
 */
class TaskIdClaimsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(4);
    static final Duration RESULT_EXPIRES = Duration.ofHours(2);

    final StringRedisTemplate redis = new StringRedisTemplate(services.redisConnectionFactory());
    final TaskIdClaims claims = new TaskIdClaims(services.redisConnectionFactory(),
            new ResultProperties(services.redisPrefix(), RESULT_EXPIRES, org.springframework.util.unit.DataSize.ofMegabytes(8)),
            new ClientProperties("celery", CONFIRM_TIMEOUT, 1, true, false));

    @AfterEach
    void close() {
        claims.destroy();
    }

    @Test
    void aClaimHoldsForALeaseUntilSettled() {
        String id = newId();

        Held held = claims.claim(List.of(claim(id, TaskOptions.defaults())), null);

        long lease = CONFIRM_TIMEOUT.plus(TaskIdClaims.LEASE_MARGIN).toMillis();
        assertThat(pttl(id)).as("a producer dying now blocks the id this long").isBetween(lease - 5_000, lease);

        claims.settle(held, Set.of()).join();

        assertThat(pttl(id)).isBetween(RESULT_EXPIRES.toMillis() - 5_000, RESULT_EXPIRES.toMillis());
    }

    @Test
    void aTakenIdIsRefusedAndAReleasedOneIsFree() {
        String id = newId();
        Held first = claims.claim(List.of(claim(id, TaskOptions.defaults())), null);

        assertThatThrownBy(() -> claims.claim(List.of(claim(id, TaskOptions.defaults())), null))
                .isInstanceOfSatisfying(TaskIdException.class, ex -> {
                    assertThat(ex.status().value()).isEqualTo(409);
                    assertThat(ex.taskId()).isEqualTo(id);
                    assertThat(ex.index()).isNull();
                });

        claims.release(first, List.of(id));

        assertThat(claims.claim(List.of(claim(id, TaskOptions.defaults())), null)).isNotNull();
    }

    @Test
    void anIdWithAResultIsTakenEvenWithoutAClaim() {
        String id = newId();
        redis.opsForValue().set(services.redisPrefix() + "celery-task-meta-" + id, "{\"status\": \"SUCCESS\"}",
                Duration.ofMinutes(1));

        assertThatThrownBy(() -> claims.claim(List.of(claim(id, TaskOptions.defaults())), null))
                .isInstanceOf(TaskIdException.class);
        assertThat(redis.hasKey(claims.key(id))).isFalse();
    }

    @Test
    void aBatchIsClaimedAllOrNoneNamingTheTakenIndex() {
        String taken = newId();
        claims.claim(List.of(claim(taken, TaskOptions.defaults())), null);
        String free = newId();

        assertThatThrownBy(() -> claims.claim(List.of(claim(free, TaskOptions.defaults()),
                claim(taken, TaskOptions.defaults())), List.of(3, 7)))
                .isInstanceOfSatisfying(TaskIdException.class, ex -> assertThat(ex.index()).isEqualTo(7));

        assertThat(redis.hasKey(claims.key(free))).as("nothing claimed when one is taken").isFalse();
    }

    @Test
    void onlyTheClaimantsOwnClaimsAreSettledOrReleased() {
        String id = newId();
        Held mine = claims.claim(List.of(claim(id, TaskOptions.defaults())), null);
        claims.release(mine, List.of(id));
        Held theirs = claims.claim(List.of(claim(id, TaskOptions.defaults())), null);

        claims.release(mine, List.of(id));
        claims.settle(mine, Set.of()).join();

        assertThat(redis.opsForValue().get(claims.key(id))).isEqualTo(theirs.token());
        assertThat(pttl(id)).as("still the other claimant's lease").isLessThanOrEqualTo(
                CONFIRM_TIMEOUT.plus(TaskIdClaims.LEASE_MARGIN).toMillis());
    }

    @Test
    void aDelayedTaskKeepsItsIdForTheDelayToo() {
        String id = newId();
        Held held = claims.claim(List.of(claim(id, TaskOptions.defaults().countdown(Duration.ofDays(2)))), null);

        claims.settle(held, Set.of()).join();

        long expected = RESULT_EXPIRES.plusDays(2).toMillis();
        assertThat(pttl(id)).isBetween(expected - 5_000, expected);
    }

    private static Claim claim(String id, TaskOptions options) {
        return new Claim(id, options.taskId(id));
    }

    private long pttl(String id) {
        Long ttl = redis.getExpire(claims.key(id), java.util.concurrent.TimeUnit.MILLISECONDS);
        return ttl == null ? -3 : ttl;
    }

    private static String newId() {
        return "claim-" + UUID.randomUUID();
    }
}
