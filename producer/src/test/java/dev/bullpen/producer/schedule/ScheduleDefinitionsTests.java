package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.protocol.CeleryJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ScheduleDefinitionsTests {

    @Test
    void bindsTheReadmeExample() {
        ScheduleDefinitions definitions = bind(Map.of(
                "bullpen.schedules.nightly-report.cron", "0 3 * * *",
                "bullpen.schedules.nightly-report.zone", "Europe/Berlin",
                "bullpen.schedules.nightly-report.task", "reports.build",
                "bullpen.schedules.nightly-report.args", "[\"daily\", 7]",
                "bullpen.schedules.nightly-report.queue", "reports",
                "bullpen.schedules.heartbeat.interval", "30s",
                "bullpen.schedules.heartbeat.task", "monitor.ping",
                "bullpen.schedules.heartbeat.kwargs", "{\"to\": \"ops\"}",
                "bullpen.schedules.heartbeat.expires", "25s"));

        List<Schedule> schedules = definitions.toSchedules();

        assertThat(schedules).extracting(Schedule::name).containsExactly("heartbeat", "nightly-report");
        Schedule heartbeat = schedules.get(0);
        assertThat(heartbeat.trigger()).isEqualTo(ScheduleTrigger.every(Duration.ofSeconds(30)));
        assertThat(heartbeat.kwargs().get("to").stringValue()).isEqualTo("ops");
        assertThat(heartbeat.expires()).isEqualTo(Duration.ofSeconds(25));
        assertThat(heartbeat.source()).isEqualTo(Schedule.Source.CONFIG);
        Schedule report = schedules.get(1);
        assertThat(report.args().get(1).isIntegralNumber()).as("a number stays a number").isTrue();
        assertThat(((ScheduleTrigger.Cron) report.trigger()).zone().getId()).isEqualTo("Europe/Berlin");
        assertThat(report.queue()).isEqualTo("reports");
    }

    @Test
    void aBadScheduleFailsStartupNamingItsProperty() {
        assertThatThrownBy(() -> bind(Map.of("bullpen.schedules.x.interval", "10s")))
                .hasStackTraceContaining("bullpen.schedules.x.task");
        assertThatThrownBy(() -> bind(Map.of("bullpen.schedules.x.task", "t", "bullpen.schedules.x.args", "[1,")))
                .hasStackTraceContaining("bullpen.schedules.x.args");
        assertThatThrownBy(() -> bind(Map.of("bullpen.schedules.x.task", "t", "bullpen.schedules.x.interval", "1s",
                "bullpen.schedules.x.cron", "* * * * *")))
                .hasStackTraceContaining("exactly one of cron and interval");
    }

    @Test
    void aCronThatNeverFiresFailsStartupNamingItsProperty() {
        assertThatThrownBy(() -> bind(Map.of("bullpen.schedules.feb30.task", "t",
                "bullpen.schedules.feb30.cron", "0 0 30 2 *")))
                .hasStackTraceContaining("bullpen.schedules.feb30.cron").hasStackTraceContaining("never fires");
    }

    @Test
    void controlCharactersInATaskOrQueueNameFailStartup() {
        assertThatThrownBy(() -> bind(Map.of("bullpen.schedules.x.task", "t\nforged", "bullpen.schedules.x.interval", "1s")))
                .hasStackTraceContaining("bullpen.schedules.x.task").hasStackTraceContaining("control characters");
        assertThatThrownBy(() -> bind(Map.of("bullpen.schedules.x.task", "t", "bullpen.schedules.x.interval", "1s",
                "bullpen.schedules.x.queue", "q\r")))
                .hasStackTraceContaining("bullpen.schedules.x.queue");
    }

    @Test
    void aStoredScheduleReadsBackTheSame() {
        Schedule schedule = Schedule.of("s", "0 9 * * 1-5", "Europe/Berlin", null, "reports.build",
                CeleryJson.mapper().createArrayNode().add(1.5).add("x"), CeleryJson.mapper().createObjectNode().put("k", true),
                "reports", Duration.ofMinutes(1), 5, Schedule.Source.CONFIG);
        Schedule interval = Schedule.of("i", null, null, Duration.ofMillis(1500), "t",
                CeleryJson.mapper().createArrayNode(), CeleryJson.mapper().createObjectNode(), null, null, null,
                Schedule.Source.API);

        assertThat(ScheduleJson.fromStored(ScheduleJson.write(schedule))).usingRecursiveComparison().isEqualTo(schedule);
        assertThat(ScheduleJson.fromStored(ScheduleJson.write(interval))).usingRecursiveComparison().isEqualTo(interval);
        assertThat(ScheduleJson.describe(interval).get("interval").toString()).isEqualTo("1.5");
        assertThat(ScheduleJson.describe(schedule).get("expires").toString()).isEqualTo("60");
    }

    @Test
    void tickIdsAreTheSameForTheSameTickAndDifferOtherwise() {
        var tick = java.time.Instant.parse("2026-12-01T10:00:00Z");
        TickIds ids = TickIds.keyedWith("a secret of 32 characters, or so".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        TickIds sameSecret = TickIds.keyedWith("a secret of 32 characters, or so".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(ids.taskId("p:", "s", tick)).isEqualTo(sameSecret.taskId("p:", "s", tick))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(ids.taskId("p:", "s", tick.plusSeconds(1))).isNotEqualTo(ids.taskId("p:", "s", tick));
        assertThat(ids.taskId("p:", "t", tick)).isNotEqualTo(ids.taskId("p:", "s", tick));
        assertThat(ids.taskId("q:", "s", tick)).isNotEqualTo(ids.taskId("p:", "s", tick));
    }

    @Test
    void tickIdsDependOnTheSecretAndAreNotTheOldPredictableOnes() {
        var tick = java.time.Instant.parse("2026-12-01T10:00:00Z");
        TickIds ids = TickIds.keyedWith("a secret of 32 characters, or so".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        TickIds otherSecret = TickIds.keyedWith("another secret, 32 characters..".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // What any caller could compute before: a name-based UUID of a known string.
        String predictable = java.util.UUID.nameUUIDFromBytes(("bullpen-schedule\np:\ns\n" + tick.toEpochMilli())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();

        assertThat(ids.taskId("p:", "s", tick)).isNotEqualTo(otherSecret.taskId("p:", "s", tick))
                .isNotEqualTo(predictable);
        assertThatThrownBy(() -> TickIds.keyedWith(new byte[15])).hasMessageContaining("16 bytes");
    }

    private static ScheduleDefinitions bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("bullpen", ScheduleDefinitions.class);
    }
}
