/**
 * What users import to write tasks: {@link dev.bullpen.worker.Task} on a Spring bean method,
 * {@link dev.bullpen.worker.Args} and {@link dev.bullpen.worker.Kwargs} for Python-style
 * {@code *args}/{@code **kwargs}, and {@link dev.bullpen.worker.TaskContext} for the running task.
 */
@NullMarked
package dev.bullpen.worker;

import org.jspecify.annotations.NullMarked;
