/** Remote control and events, as Celery does them: the pidbox (inspect, revoke, ping...), its commands and replies, the worker heartbeat, and the Lamport clock both share. Not API. */
@NullMarked
package dev.bullpen.worker.internal.control;

import org.jspecify.annotations.NullMarked;
