package dev.bullpen.producer.schedule;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a schedule has done and will do, as Redis holds it.
 *
 * @param nextRunAt the next tick not yet published (it may be past while it is being published or
 *        retried); null when the schedule never ticks again
 * @param lastRunAt the tick the last run stood for
 * @param lastTaskId the last run's task id
 * @param lastPublishedAt when the broker confirmed the last run (later than its tick when it was caught up)
 * @param totalRunCount runs published
 * @param skippedCount times missed ticks were skipped for being older than {@code bullpen.scheduler.catch-up}
 * @param lastError why the due tick could not be published yet, cleared once it is
 */
record ScheduleRuns(@Nullable Instant nextRunAt, @Nullable Instant lastRunAt, @Nullable String lastTaskId,
        @Nullable Instant lastPublishedAt, long totalRunCount, long skippedCount, @Nullable String lastError) {
}
