/**
 * The Java client: pitch a task by name with {@link dev.bullpen.client.TaskClient} (built with
 * {@link dev.bullpen.client.TaskClient#builder}), then read its state and result from the
 * {@link dev.bullpen.client.TaskHandle} it returns; remote control (live workers, broadcast, revoke)
 * is {@link dev.bullpen.client.TaskControl}. The broker-side building blocks the worker and the
 * producer share are here too: {@link dev.bullpen.client.BrokerTopology} (every declaration),
 * {@link dev.bullpen.client.ConfirmingPublisher} (publishing with confirms) and
 * {@link dev.bullpen.client.CanvasSender} (Celery's canvas). {@code client.internal} is not API.
 */
@NullMarked
package dev.bullpen.client;

import org.jspecify.annotations.NullMarked;
