/** Limits on running: per-task rate limits (local, or shared through Redis buckets) and the throttle that parks a delivery until its token, and per-task time limits. Not API. */
@NullMarked
package dev.bullpen.worker.internal.limits;

import org.jspecify.annotations.NullMarked;
