/** The worker's machinery: registry, argument binding, consumers, lifecycle. Not API. */
@NullMarked
package dev.bullpen.worker.internal;

import org.jspecify.annotations.NullMarked;
