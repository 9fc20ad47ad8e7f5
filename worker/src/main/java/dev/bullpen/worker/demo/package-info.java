/** The demo tasks the README's tour and the image run; {@code dev.bullpen.worker.app.WorkerApplication} scans them in. */
@NullMarked
package dev.bullpen.worker.demo;

import org.jspecify.annotations.NullMarked;
