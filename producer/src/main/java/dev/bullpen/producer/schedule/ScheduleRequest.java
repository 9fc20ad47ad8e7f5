package dev.bullpen.producer.schedule;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/schedules}, for the OpenAPI document; {@link ScheduleJson} reads it,
 * so that each refusal can name its field.
 */
@Schema(name = "ScheduleRequest", description = "A periodic task: exactly one of cron and interval")
record ScheduleRequest(
        @Schema(description = "Unique name: 1 to 200 letters, digits or . _ : -", example = "nightly-report",
                requiredMode = Schema.RequiredMode.REQUIRED) String name,
        @Schema(description = "The task to send", example = "reports.build", requiredMode = Schema.RequiredMode.REQUIRED)
        String task,
        @Schema(description = "Positional arguments (default [])") @Nullable List<Object> args,
        @Schema(description = "Keyword arguments (default {})") @Nullable Map<String, Object> kwargs,
        @Schema(description = "The queue (default: the task's route, else bullpen.client.default-queue)")
        @Nullable String queue,
        @Schema(description = "Cron: 5 fields as Celery and Unix (minute hour day-of-month month day-of-week), or 6 "
                + "with seconds first as Spring; macros such as @daily", example = "0 3 * * *") @Nullable String cron,
        @Schema(description = "The cron's time zone id (default UTC)", example = "Europe/Berlin") @Nullable String zone,
        @Schema(description = "Seconds between ticks (at least 1), or an ISO-8601 duration such as \"PT30S\"; ticks "
                + "fall on multiples of it since the Unix epoch", example = "30") @Nullable BigDecimal interval,
        @Schema(description = "Each run expires this many seconds after it is published") @Nullable BigDecimal expires,
        @Schema(description = "The AMQP priority of each run, 0..255") @Nullable Integer priority) {
}
