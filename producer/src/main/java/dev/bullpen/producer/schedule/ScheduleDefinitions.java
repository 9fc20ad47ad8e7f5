package dev.bullpen.producer.schedule;

import dev.bullpen.producer.schedule.Schedule.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code bullpen.schedules}: schedules defined in configuration, by name.
 *
 * <pre>{@code
 * bullpen:
 *   schedules:
 *     nightly-report:
 *       cron: "0 3 * * *"          # 5 fields as in Celery, or 6 with seconds first
 *       zone: Europe/Berlin        # default UTC
 *       task: reports.build
 *       args: '["daily"]'          # JSON text, so that numbers stay numbers
 *       queue: reports
 *     heartbeat:
 *       interval: 30s
 *       task: monitor.ping
 *       expires: 25s
 * }</pre>
 *
 * @param schedules name to schedule
 */
@ConfigurationProperties("bullpen")
public record ScheduleDefinitions(Map<String, Entry> schedules) {

    public ScheduleDefinitions {
        schedules = schedules == null ? Map.of() : new TreeMap<>(schedules);
        toSchedules(schedules); // a bad schedule fails at startup, naming it
    }

    /**
     * One schedule of {@code bullpen.schedules.<name>}.
     *
     * @param cron a cron expression (5 fields, or 6 with seconds first); exactly one of cron and interval
     * @param zone the cron's time zone id (default UTC)
     * @param interval a fixed interval of at least 1 s
     * @param task the task name
     * @param args positional arguments as a JSON array, e.g. {@code '[2, 3]'}
     * @param kwargs keyword arguments as a JSON object, e.g. {@code '{"to": "ops"}'}
     * @param queue the queue (default: the task's route, else the default queue)
     * @param expires each run expires this long after it is published
     * @param priority the AMQP priority
     */
    public record Entry(@Nullable String cron, @Nullable String zone, @Nullable Duration interval, @Nullable String task,
            @Nullable String args, @Nullable String kwargs, @Nullable String queue, @Nullable Duration expires,
            @Nullable Integer priority) {
    }

    /**
     * @throws IllegalArgumentException naming the property at fault
     */
    List<Schedule> toSchedules() {
        return toSchedules(schedules);
    }

    private static List<Schedule> toSchedules(Map<String, Entry> schedules) {
        List<Schedule> all = new ArrayList<>();
        schedules.forEach((name, entry) -> {
            try {
                all.add(Schedule.of(name, entry.cron(), entry.zone(), entry.interval(), entry.task(),
                        ScheduleJson.args(ScheduleJson.parseConfigured("args", entry.args())),
                        ScheduleJson.kwargs(ScheduleJson.parseConfigured("kwargs", entry.kwargs())), entry.queue(),
                        entry.expires(), entry.priority(), Source.CONFIG));
            } catch (InvalidScheduleException ex) {
                throw new IllegalArgumentException("bullpen.schedules." + name + "." + ex.field() + ": "
                        + ex.getMessage(), ex);
            }
        });
        return all;
    }
}
