package dev.bullpen.producer.schedule;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** What {@code GET /api/schedules} answers for each schedule: its definition and its runs. */
@Schema(name = "Schedule", description = "A periodic task and its runs")
record ScheduleView(
        @Schema(description = "The schedule's name", example = "nightly-report") String name,
        @Schema(description = "The task sent at each tick", example = "reports.build") String task,
        @Schema(description = "Positional arguments", implementation = Object[].class) JsonNode args,
        @Schema(description = "Keyword arguments", implementation = Object.class) JsonNode kwargs,
        @Schema(description = "The queue; null sends by bullpen.routes, else to the default queue", nullable = true)
        @Nullable String queue,
        @Schema(description = "The cron expression, as given; null for an interval schedule", nullable = true,
                example = "0 3 * * *") @Nullable String cron,
        @Schema(description = "The cron's time zone; null for an interval schedule", nullable = true,
                example = "Europe/Berlin") @Nullable String zone,
        @Schema(description = "Seconds between ticks; null for a cron schedule", nullable = true)
        @Nullable BigDecimal interval,
        @Schema(description = "Each run expires this many seconds after it is published", nullable = true)
        @Nullable BigDecimal expires,
        @Schema(description = "The AMQP priority of each run", nullable = true) @Nullable Integer priority,
        @Schema(description = "config: from bullpen.schedules, rewritten on every producer start; api: from POST, "
                + "kept until deleted", allowableValues = {"config", "api"}) String source,
        @Schema(description = "The next tick not yet published; past while it is retried. Null if it never ticks again",
                format = "date-time", nullable = true) @JsonProperty("next_run_at") @Nullable String nextRunAt,
        @Schema(description = "The tick the last run stood for", format = "date-time", nullable = true)
        @JsonProperty("last_run_at") @Nullable String lastRunAt,
        @Schema(description = "When the broker confirmed the last run: later than its tick if it was caught up",
                format = "date-time", nullable = true) @JsonProperty("last_published_at") @Nullable String lastPublishedAt,
        @Schema(description = "The last run's task id: GET /api/tasks/{id} reads its result", nullable = true)
        @JsonProperty("last_task_id") @Nullable String lastTaskId,
        @Schema(description = "Runs published") @JsonProperty("total_run_count") long totalRunCount,
        @Schema(description = "Times missed ticks were skipped for being older than bullpen.scheduler.catch-up")
        @JsonProperty("skipped_count") long skippedCount,
        @Schema(description = "Why the due tick is not published yet (e.g. the broker is down); null once it is",
                nullable = true) @JsonProperty("last_error") @Nullable String lastError) {

    static ScheduleView of(Schedule schedule, ScheduleRuns runs) {
        JsonNode definition = ScheduleJson.describe(schedule);
        return new ScheduleView(schedule.name(), schedule.task(), schedule.args(), schedule.kwargs(), schedule.queue(),
                text(definition, "cron"), text(definition, "zone"), number(definition, "interval"),
                number(definition, "expires"), schedule.priority(), schedule.source().wire(), time(runs.nextRunAt()),
                time(runs.lastRunAt()), time(runs.lastPublishedAt()), runs.lastTaskId(), runs.totalRunCount(),
                runs.skippedCount(), runs.lastError());
    }

    private static @Nullable String text(JsonNode definition, String field) {
        JsonNode node = definition.get(field);
        return node == null || node.isNull() ? null : node.stringValue();
    }

    private static @Nullable BigDecimal number(JsonNode definition, String field) {
        JsonNode node = definition.get(field);
        return node == null || node.isNull() ? null : node.decimalValue();
    }

    private static @Nullable String time(@Nullable Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
