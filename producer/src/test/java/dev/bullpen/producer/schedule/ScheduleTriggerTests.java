package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class ScheduleTriggerTests {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void aFiveFieldCronIsReadAsCeleryDoesWithSecondZero() {
        ScheduleTrigger.Cron cron = ScheduleTrigger.cron("*/15 * * * *", null);

        assertThat(cron.nextAfter(Instant.parse("2026-12-01T10:07:31Z"))).isEqualTo("2026-12-01T10:15:00Z");
        assertThat(cron.nextAfter(Instant.parse("2026-12-01T10:15:00Z"))).as("strictly after").isEqualTo("2026-12-01T10:30:00Z");
        assertThat(cron.zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(cron.spec()).isEqualTo(ScheduleTrigger.cron("0 */15 * * * *", "UTC").spec());
    }

    @Test
    void aSixFieldCronHasSecondsFirst() {
        ScheduleTrigger.Cron everySecond = ScheduleTrigger.cron("* * * * * *", "UTC");

        assertThat(everySecond.nextAfter(Instant.parse("2026-12-01T10:00:00.250Z"))).isEqualTo("2026-12-01T10:00:01Z");
        assertThat(everySecond.nextAfter(Instant.parse("2026-12-01T10:00:01Z"))).isEqualTo("2026-12-01T10:00:02Z");
    }

    @Test
    void cronTicksInItsZone() {
        ScheduleTrigger.Cron nine = ScheduleTrigger.cron("0 9 * * *", "Europe/Berlin");
        ScheduleTrigger.Cron nineInTokyo = ScheduleTrigger.cron("0 9 * * *", "Asia/Tokyo");

        assertThat(nine.nextAfter(Instant.parse("2026-12-01T00:00:00Z"))).isEqualTo("2026-12-01T08:00:00Z");
        assertThat(nineInTokyo.nextAfter(Instant.parse("2026-12-01T01:00:00Z"))).isEqualTo("2026-12-02T00:00:00Z");
    }

    @Test
    void nineInTheMorningStaysNineAcrossDaylightSavingTime() {
        ScheduleTrigger.Cron nine = ScheduleTrigger.cron("0 9 * * *", "Europe/Berlin");

        // Clocks go forward on 29 March 2026 and back on 25 October 2026 in Berlin.
        assertThat(nine.nextAfter(Instant.parse("2026-03-28T12:00:00Z"))).isEqualTo("2026-03-29T07:00:00Z");
        assertThat(nine.nextAfter(Instant.parse("2026-03-27T12:00:00Z"))).isEqualTo("2026-03-28T08:00:00Z");
        assertThat(nine.nextAfter(Instant.parse("2026-10-24T12:00:00Z"))).isEqualTo("2026-10-25T08:00:00Z");
    }

    @Test
    void aTimeThatDoesNotExistOnTheSpringForwardDayDoesNotRunThatDay() {
        ScheduleTrigger.Cron halfPastTwo = ScheduleTrigger.cron("30 2 * * *", "Europe/Berlin");

        Instant first = halfPastTwo.nextAfter(Instant.parse("2026-03-28T12:00:00Z"));
        Instant second = halfPastTwo.nextAfter(first);

        // 02:30 does not exist on 29 March: Spring's CronExpression skips the day, as Unix cron does not.
        assertThat(first).isEqualTo(ZonedDateTime.of(2026, 3, 30, 2, 30, 0, 0, BERLIN).toInstant());
        assertThat(second).isEqualTo(ZonedDateTime.of(2026, 3, 31, 2, 30, 0, 0, BERLIN).toInstant());
    }

    @Test
    void aTimeThatOccursTwiceOnTheFallBackDayRunsTwice() {
        ScheduleTrigger.Cron halfPastTwo = ScheduleTrigger.cron("30 2 * * *", "Europe/Berlin");

        Instant first = halfPastTwo.nextAfter(Instant.parse("2026-10-24T12:00:00Z"));
        Instant second = halfPastTwo.nextAfter(first);

        // Spring's CronExpression matches both 02:30 +02:00 and 02:30 +01:00 on 25 October.
        assertThat(first).isEqualTo("2026-10-25T00:30:00Z");
        assertThat(second).isEqualTo("2026-10-25T01:30:00Z");
        assertThat(halfPastTwo.nextAfter(second)).isEqualTo("2026-10-26T01:30:00Z");
    }

    @Test
    void intervalsTickOnMultiplesOfTheIntervalSinceTheEpoch() {
        ScheduleTrigger.Interval tenSeconds = ScheduleTrigger.every(Duration.ofSeconds(10));

        assertThat(tenSeconds.nextAfter(Instant.parse("2026-12-01T10:00:03.5Z"))).isEqualTo("2026-12-01T10:00:10Z");
        assertThat(tenSeconds.nextAfter(Instant.parse("2026-12-01T10:00:10Z"))).isEqualTo("2026-12-01T10:00:20Z");
        assertThat(ScheduleTrigger.every(Duration.ofMillis(1500)).nextAfter(Instant.ofEpochMilli(2999)))
                .isEqualTo(Instant.ofEpochMilli(3000));
        assertThat(tenSeconds.spec()).isNotEqualTo(ScheduleTrigger.every(Duration.ofSeconds(11)).spec());
    }

    @Test
    void badTriggersNameTheirField() {
        assertThatThrownBy(() -> ScheduleTrigger.cron("61 * * * *", null))
                .isInstanceOfSatisfying(InvalidScheduleException.class, ex -> assertThat(ex.field()).isEqualTo("cron"));
        assertThatThrownBy(() -> ScheduleTrigger.cron("* * *", null))
                .isInstanceOfSatisfying(InvalidScheduleException.class, ex -> assertThat(ex.field()).isEqualTo("cron"));
        assertThatThrownBy(() -> ScheduleTrigger.cron("0 9 * * *", "Mars/Olympus"))
                .isInstanceOfSatisfying(InvalidScheduleException.class, ex -> assertThat(ex.field()).isEqualTo("zone"));
        assertThatThrownBy(() -> ScheduleTrigger.every(Duration.ofMillis(999)))
                .isInstanceOfSatisfying(InvalidScheduleException.class, ex -> assertThat(ex.field()).isEqualTo("interval"));
    }

    @Test
    void aCronThatNeverMatchesAgainHasNoNextTick() {
        // 30 February never comes. Built directly: ScheduleTrigger.cron refuses such a cron (below).
        ScheduleTrigger.Cron never = new ScheduleTrigger.Cron("0 0 30 2 *",
                org.springframework.scheduling.support.CronExpression.parse("0 0 0 30 2 *"), ScheduleTrigger.UTC);

        assertThat(never.nextAfter(Instant.parse("2026-12-01T00:00:00Z"))).isNull();
    }

    @Test
    void aCronThatNeverFiresIsRefusedButARareOneIsTaken() {
        assertThatThrownBy(() -> ScheduleTrigger.cron("0 0 30 2 *", null))
                .isInstanceOfSatisfying(InvalidScheduleException.class, ex -> assertThat(ex.field()).isEqualTo("cron"))
                .hasMessageContaining("never fires");
        assertThatThrownBy(() -> ScheduleTrigger.cron("0 0 31 4 *", "Europe/Berlin")).hasMessageContaining("never fires");
        // 29 February that is a Monday: next in 2044, far but real.
        assertThat(ScheduleTrigger.cron("0 0 29 2 MON", null).nextAfter(Instant.parse("2026-12-01T00:00:00Z")))
                .isEqualTo(Instant.parse("2044-02-29T00:00:00Z"));
    }
}
