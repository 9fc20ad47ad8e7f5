package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.metrics.MeterNames;
import dev.bullpen.test.TcpProxy;
import dev.bullpen.producer.schedule.ScheduleFixture.Published;
import dev.bullpen.test.BullpenServices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With the broker gone at a tick, the tick stays due and its publish is retried, visibly
 * ({@code last_error}), until the broker is back; then it and the ticks due meanwhile run, each once
 * and none skipped. The producer reaches the shared broker through a {@link TcpProxy} switched off
 * and on; the broker itself is never stopped.
 */
class ScheduleBrokerOutageIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final ScheduleFixture fixture = new ScheduleFixture(services);

    static TcpProxy proxy;

    @AfterAll
    static void cleanUp() throws Exception {
        fixture.close();
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aTickDueWhileTheBrokerIsDownIsRetriedAndRunsOnceWhenItIsBack() throws Exception {
        String name = "outage";
        String queue = fixture.queue(name);
        Map<String, String> amqp = services.springProperties();
        proxy = new TcpProxy(amqp.get("spring.rabbitmq.host"), Integer.parseInt(amqp.get("spring.rabbitmq.port"))).start();
        ConfigurableApplicationContext producer = fixture.producer(Map.of(
                "spring.rabbitmq.host", "127.0.0.1",
                "spring.rabbitmq.port", Integer.toString(proxy.port()),
                "bullpen.client.confirm-timeout", "3s",
                // Late ticks run one by one, so that every tick of the outage can be seen to run.
                "bullpen.scheduler.misfire-threshold", "60s",
                "bullpen.schedules.outage.interval", "1s",
                "bullpen.schedules.outage.task", "test.outage",
                "bullpen.schedules.outage.queue", queue));
        MeterRegistry meters = producer.getBean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs(name).totalRunCount() >= 2);

        proxy.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs(name).lastError() != null);
        ScheduleRuns down = fixture.runs(name);
        Instant stuck = down.nextRunAt();
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(stuck.plusSeconds(3)));
        ScheduleRuns stillDown = fixture.runs(name);
        assertThat(stillDown.nextRunAt()).as("the due tick stays due while the broker is down").isEqualTo(stuck);
        assertThat(stillDown.totalRunCount()).isEqualTo(down.totalRunCount());
        assertThat(stillDown.lastError()).isNotBlank();
        assertThat(failed(meters)).as("retried").isGreaterThanOrEqualTo(2);

        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.runs(name).totalRunCount() >= down.totalRunCount() + 5);
        producer.close();

        ScheduleRuns after = fixture.runs(name);
        List<String> ids = fixture.drain(queue).stream().map(Published::id).toList();
        assertThat(after.lastError()).isNull();
        assertThat(after.skippedCount()).isZero();
        assertThat(ids).as("one message per run, no id twice").doesNotHaveDuplicates().hasSize((int) after.totalRunCount());
        assertThat(ids).as("every tick, including those due while the broker was down")
                .containsExactlyInAnyOrderElementsOf(fixture.idsOfTicks(name,
                        after.lastRunAt().minusSeconds(after.totalRunCount() - 1), after.lastRunAt()))
                .contains(fixture.idOf(name, stuck), fixture.idOf(name, stuck.plusSeconds(3)));
    }

    private static double failed(MeterRegistry meters) {
        Counter counter = meters.find(MeterNames.SCHEDULE_TICKS).tags(MeterNames.TAG_SCHEDULE, "outage",
                MeterNames.TAG_OUTCOME, "failed").counter();
        return counter == null ? 0 : counter.count();
    }
}
