/** Consume and settle: one consumer per queue on a channel of its own, the slots and prefetch that bound what is held, the admission of each delivery (expired, revoked, not yet due), and its settlement (ack, nack, retry, dead letter) once its run is over. Not API. */
@NullMarked
package dev.bullpen.worker.internal.consume;

import org.jspecify.annotations.NullMarked;
