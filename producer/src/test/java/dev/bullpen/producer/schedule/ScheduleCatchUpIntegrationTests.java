package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.producer.schedule.ScheduleFixture.Published;
import dev.bullpen.test.BullpenServices;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A restart neither double-fires nor silently skips: with every producer stopped past several ticks
 * of a 1 s schedule, the next producer to start runs the first missed tick once, late, standing for
 * all the missed ones (Celery beat's coalescing), then ticks normally; a tick missed by more than
 * {@code bullpen.scheduler.catch-up} is skipped and counted instead. Each test waits on the wall
 * clock only for the ticks to be missed, and asserts on which ticks ran, never on when.
 */
class ScheduleCatchUpIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final ScheduleFixture fixture = new ScheduleFixture(services);

    /** Ticks missed while no producer runs. */
    static final int MISSED = 4;

    @AfterAll
    static void cleanUp() throws Exception {
        fixture.close();
    }

    @Test
    void aTickMissedWhileAllProducersWereDownRunsOnceLateThenTheScheduleTicksOn() throws Exception {
        String name = "restart";
        String queue = fixture.queue(name);
        // The threshold only has to be below the outage; the default hour of catch-up applies.
        Map<String, String> config = config(name, queue, Map.of("bullpen.scheduler.misfire-threshold", "3s"));
        try {
            ConfigurableApplicationContext first = fixture.producer(config);
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs(name).totalRunCount() >= 2);
            first.close();
            ScheduleRuns before = fixture.runs(name);
            Instant missed = before.nextRunAt();
            assertThat(missed).isEqualTo(before.lastRunAt().plusSeconds(1));
            awaitClockPast(missed.plusSeconds(MISSED));

            ConfigurableApplicationContext second = fixture.producer(config);
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs(name).totalRunCount() >= before.totalRunCount() + 3);
            second.close();

            ScheduleRuns after = fixture.runs(name);
            List<String> ids = ids(fixture.drain(queue));
            long ranAfter = after.totalRunCount() - before.totalRunCount() - 1;
            Instant resumed = after.lastRunAt().minusSeconds(ranAfter - 1);
            List<String> expected = new ArrayList<>(fixture.idsOfTicks(name,
                    before.lastRunAt().minusSeconds(before.totalRunCount() - 1), before.lastRunAt()));
            expected.add(fixture.idOf(name, missed));
            expected.addAll(fixture.idsOfTicks(name, resumed, after.lastRunAt()));

            assertThat(ids).as("one message per run, no id twice").doesNotHaveDuplicates().hasSize((int) after.totalRunCount());
            assertThat(ids).as("the ticks before, the first missed one once, then consecutive ticks")
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(resumed).as("the missed ticks are coalesced into the late run").isAfter(missed.plusSeconds(MISSED));
            assertThat(ids).doesNotContainAnyElementsOf(fixture.idsOfTicks(name, missed.plusSeconds(1), missed.plusSeconds(MISSED)));
            assertThat(after.skippedCount()).isZero();
        } finally {
            fixture.store().delete(name);
        }
    }

    @Test
    void aTickMissedByMoreThanTheCatchUpIsSkippedAndCountedThenTheScheduleTicksOn() throws Exception {
        String name = "stale";
        String queue = fixture.queue(name);
        Map<String, String> config = config(name, queue, Map.of("bullpen.scheduler.misfire-threshold", "2s",
                "bullpen.scheduler.catch-up", "3s"));
        try {
            ConfigurableApplicationContext first = fixture.producer(config);
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs(name).totalRunCount() >= 1);
            first.close();
            ScheduleRuns before = fixture.runs(name);
            Instant missed = before.nextRunAt();
            awaitClockPast(missed.plusSeconds(MISSED));

            ConfigurableApplicationContext second = fixture.producer(config);
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs(name).totalRunCount() >= before.totalRunCount() + 2);
            second.close();

            ScheduleRuns after = fixture.runs(name);
            List<String> ids = ids(fixture.drain(queue));
            long ranAfter = after.totalRunCount() - before.totalRunCount();
            Instant resumed = after.lastRunAt().minusSeconds(ranAfter - 1);
            List<String> expected = new ArrayList<>(fixture.idsOfTicks(name,
                    before.lastRunAt().minusSeconds(before.totalRunCount() - 1), before.lastRunAt()));
            expected.addAll(fixture.idsOfTicks(name, resumed, after.lastRunAt()));

            assertThat(after.skippedCount()).as("one skip, for all the ticks missed").isEqualTo(1);
            assertThat(ids).as("one message per run, no id twice").doesNotHaveDuplicates().hasSize((int) after.totalRunCount());
            assertThat(ids).as("the ticks before, none missed, then consecutive ticks")
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(resumed).isAfter(missed.plusSeconds(MISSED));
        } finally {
            fixture.store().delete(name);
        }
    }

    private static Map<String, String> config(String name, String queue, Map<String, String> scheduler) {
        Map<String, String> config = new java.util.HashMap<>(scheduler);
        config.put("bullpen.schedules." + name + ".interval", "1s");
        config.put("bullpen.schedules." + name + ".task", "test." + name);
        config.put("bullpen.schedules." + name + ".queue", queue);
        return config;
    }

    /** Missing ticks takes wall-clock time; the wait is for the clock, not for something to happen. */
    private static void awaitClockPast(Instant instant) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> Instant.now().isAfter(instant));
    }

    private static List<String> ids(List<Published> messages) {
        return messages.stream().map(Published::id).toList();
    }
}
