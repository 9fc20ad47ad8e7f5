package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.metrics.MeterNames;
import dev.bullpen.producer.schedule.ScheduleFixture.Published;
import dev.bullpen.test.BullpenServices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three producers on one key prefix fire every tick of a 1 s interval schedule and of a per-second
 * cron exactly once between them: the queue holds one message per tick, with the tick's own task id,
 * for consecutive ticks with none missing, and their {@code bullpen.schedule.ticks} counters add up
 * to those messages.
 */
class ScheduleExactlyOnceIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final ScheduleFixture fixture = new ScheduleFixture(services);

    static final int TICKS = 6;

    @AfterAll
    static void cleanUp() throws Exception {
        fixture.close();
    }

    @Test
    void threeProducersFireEachTickExactlyOnce() throws Exception {
        String queue = fixture.queue("ticks");
        Map<String, String> config = Map.of(
                "bullpen.schedules.every-second.interval", "1s",
                "bullpen.schedules.every-second.task", "test.interval",
                "bullpen.schedules.every-second.queue", queue,
                "bullpen.schedules.cron-second.cron", "* * * * * *",
                "bullpen.schedules.cron-second.task", "test.cron",
                "bullpen.schedules.cron-second.args", "[1, \"two\"]",
                "bullpen.schedules.cron-second.queue", queue);
        // One after the other (Boot's logging set-up is global to the JVM and not safe to start in parallel):
        // the later ones write the config schedules while the first already fires them.
        List<ConfigurableApplicationContext> producers = IntStream.range(0, 3).mapToObj(i -> fixture.producer(config)).toList();
        List<MeterRegistry> meters = producers.stream().map(p -> p.getBean(MeterRegistry.class)).toList();

        await().atMost(Duration.ofSeconds(60)).until(() ->
                fixture.runs("every-second").totalRunCount() >= TICKS && fixture.runs("cron-second").totalRunCount() >= TICKS);
        producers.forEach(ConfigurableApplicationContext::close);

        List<Published> messages = fixture.drain(queue);
        for (String name : List.of("every-second", "cron-second")) {
            ScheduleRuns runs = fixture.runs(name);
            String task = name.equals("every-second") ? "test.interval" : "test.cron";
            List<String> ids = messages.stream().filter(m -> m.task().equals(task)).map(Published::id).toList();

            assertThat(ids).as(name + ": one message per run, no id twice").doesNotHaveDuplicates()
                    .hasSize((int) runs.totalRunCount());
            assertThat(ids).as(name + ": the ids of consecutive ticks up to the last run")
                    .containsExactlyInAnyOrderElementsOf(fixture.idsOfTicks(name,
                            runs.lastRunAt().minusSeconds(runs.totalRunCount() - 1), runs.lastRunAt()));
            assertThat(runs.lastTaskId()).isEqualTo(fixture.idOf(name, runs.lastRunAt()));
            assertThat(runs.skippedCount()).isZero();
            assertThat(runs.nextRunAt()).isEqualTo(runs.lastRunAt().plusSeconds(1));
            List<Double> published = meters.stream().map(m -> published(m, name)).toList();
            assertThat(published.stream().mapToDouble(Double::doubleValue).sum())
                    .as(name + ": runs counted by the producers, " + published).isEqualTo(ids.size());
        }
    }

    private static double published(MeterRegistry meters, String schedule) {
        Counter counter = meters.find(MeterNames.SCHEDULE_TICKS).tags(MeterNames.TAG_SCHEDULE, schedule,
                MeterNames.TAG_OUTCOME, "published").counter();
        return counter == null ? 0 : counter.count();
    }
}
