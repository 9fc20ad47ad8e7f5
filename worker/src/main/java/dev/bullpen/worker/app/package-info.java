/** The runnable worker: what {@code java -jar bullpen-worker-exec.jar} and the image start, with its defaults. */
@NullMarked
package dev.bullpen.worker.app;

import org.jspecify.annotations.NullMarked;
