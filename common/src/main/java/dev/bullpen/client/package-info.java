/**
 * The Java client: pitch a task by name with {@link dev.bullpen.client.TaskClient}, then read its
 * state and result from the {@link dev.bullpen.client.TaskHandle} it returns.
 */
@NullMarked
package dev.bullpen.client;

import org.jspecify.annotations.NullMarked;
