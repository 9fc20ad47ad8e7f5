/** The benchmark: Bullpen against Celery and the broker's own limit, measured in one run. */
@NullMarked
package dev.bullpen.bench;

import org.jspecify.annotations.NullMarked;
