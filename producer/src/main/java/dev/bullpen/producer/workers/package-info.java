/**
 * The {@code /api/workers} resource: the live workers, learnt from Celery's worker events
 * ({@code worker-online}, {@code worker-heartbeat}, {@code worker-offline}) on {@code celeryev}.
 */
@NullMarked
package dev.bullpen.producer.workers;

import org.jspecify.annotations.NullMarked;
