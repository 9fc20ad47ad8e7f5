/**
 * The worker's test fixture, {@link dev.bullpen.worker.test.InProcessWorker}, shared through this
 * module's test-jar (which holds this package only) with the producer's tests. The service-level
 * fixtures it builds on are in {@code dev.bullpen.test}, common's test-jar.
 */
@NullMarked
package dev.bullpen.worker.test;

import org.jspecify.annotations.NullMarked;
