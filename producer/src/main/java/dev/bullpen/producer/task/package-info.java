/**
 * The {@code /api/tasks} resource: submit a task, read its state and result. Everything here is
 * package-private; the HTTP contract is the API.
 */
@NullMarked
package dev.bullpen.producer.task;

import org.jspecify.annotations.NullMarked;
