package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.producer.schedule.ScheduleFixture.Published;
import dev.bullpen.test.BullpenServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Tick ids stay deterministic across producers, so a tick published twice is recognisable, but no
 * caller can compute them any more: they are keyed with a secret that two producers share through
 * Redis (or are both configured with), and differ from the name-based UUID of a known string they
 * used to be.
 */
class ScheduleTickIdsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final ScheduleFixture fixture = new ScheduleFixture(services);

    static final Instant TICK = Instant.parse("2027-03-01T09:00:00Z");

    @AfterAll
    static void cleanUp() throws Exception {
        fixture.close();
    }

    @Test
    void twoProducersAgreeOnASecretTheyShareThroughRedis() {
        ConfigurableApplicationContext first = fixture.producer(Map.of("bullpen.scheduler.enabled", "false"));
        ConfigurableApplicationContext second = fixture.producer(Map.of("bullpen.scheduler.enabled", "false"));

        String byFirst = first.getBean(TickSecret.class).ids().taskId(services.redisPrefix(), "nightly", TICK);
        String bySecond = second.getBean(TickSecret.class).ids().taskId(services.redisPrefix(), "nightly", TICK);

        assertThat(bySecond).isEqualTo(byFirst).isNotEqualTo(predictable("nightly", TICK));
        String key = services.redisPrefix() + TickSecret.KEY;
        StringRedisTemplate redis = new StringRedisTemplate(services.redisConnectionFactory());
        assertThat(redis.opsForValue().get(key)).as("a 256-bit secret, base64").hasSize(44);
        assertThat(redis.getExpire(key)).as("never expires: the ids would change").isEqualTo(-1L);
    }

    @Test
    void producersConfiguredWithOneSecretAgreeWithoutRedisHavingIt() {
        Map<String, String> secret = Map.of("bullpen.scheduler.enabled", "false",
                "bullpen.scheduler.tick-secret", "configured-" + UUID.randomUUID());
        String first = fixture.producer(secret).getBean(TickSecret.class).ids().taskId(services.redisPrefix(), "s", TICK);
        String second = fixture.producer(secret).getBean(TickSecret.class).ids().taskId(services.redisPrefix(), "s", TICK);

        assertThat(second).isEqualTo(first).isNotEqualTo(fixture.idOf("s", TICK)).isNotEqualTo(predictable("s", TICK));
    }

    @Test
    void aFiredTickCarriesTheKeyedIdNotThePredictableOne() throws Exception {
        String queue = fixture.queue("ticks");
        ConfigurableApplicationContext producer = fixture.producer(Map.of(
                "bullpen.schedules.keyed.interval", "1s",
                "bullpen.schedules.keyed.task", "test.keyed",
                "bullpen.schedules.keyed.queue", queue));

        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs("keyed").totalRunCount() >= 1);
        producer.close();

        ScheduleRuns runs = fixture.runs("keyed");
        List<Published> messages = fixture.drain(queue);
        assertThat(messages).isNotEmpty();
        assertThat(runs.lastTaskId()).isEqualTo(fixture.idOf("keyed", runs.lastRunAt()))
                .isNotEqualTo(predictable("keyed", runs.lastRunAt()));
        assertThat(messages).map(Published::id).contains(runs.lastTaskId());
    }

    /** The id any caller could compute before: a name-based UUID of the prefix, the name and the tick. */
    private static String predictable(String schedule, Instant tick) {
        String seed = "bullpen-schedule\n" + services.redisPrefix() + "\n" + schedule + "\n" + tick.toEpochMilli();
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
