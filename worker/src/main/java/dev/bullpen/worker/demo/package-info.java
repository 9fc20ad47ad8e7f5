/** The runnable worker with demo tasks: what {@code java -jar bullpen-worker-exec.jar} starts. */
@NullMarked
package dev.bullpen.worker.demo;

import org.jspecify.annotations.NullMarked;
