/**
 * The worker's lifecycle: its auto-configuration, the {@link Worker} that connects, starts and stops
 * consuming, and its health. The machinery lives in rooms by job: {@code consume} (deliveries in and
 * settled), {@code run} (a task's run and its result), {@code limits} (rate and time limits),
 * {@code control} (remote control and events) and {@code topology} (what is declared on the broker).
 * Not API.
 */
@NullMarked
package dev.bullpen.worker.internal;

import org.jspecify.annotations.NullMarked;
