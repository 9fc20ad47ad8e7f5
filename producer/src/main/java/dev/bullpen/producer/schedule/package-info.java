/**
 * Periodic tasks, Celery beat done without a single beat: schedules from {@code bullpen.schedules}
 * and {@code /api/schedules}, kept in Redis and fired by every producer together, each tick exactly
 * once. Everything here is package-private; the configuration and the HTTP contract are the API.
 *
 * <p>Redis layout, under {@code bullpen.result.key-prefix}:
 * <ul>
 * <li>{@code bullpen-schedules}: a hash, schedule name to its definition (JSON);</li>
 * <li>{@code bullpen-schedules-due}: a sorted set, schedule name scored by the epoch millisecond of
 *     its next tick, the one not yet published;</li>
 * <li>{@code bullpen-schedule:<name>}: a hash of the schedule's runs (last tick, last task id, counts);</li>
 * <li>{@code bullpen-schedule-lock:<name>}: held by the producer firing the schedule's due tick.</li>
 * </ul>
 */
@NullMarked
package dev.bullpen.producer.schedule;

import org.jspecify.annotations.NullMarked;
