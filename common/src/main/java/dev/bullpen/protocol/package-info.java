/**
 * Celery message protocol v2 over AMQP: the task message model and its JSON codec.
 *
 * <p>Bullpen has one wire format, Celery's, so a Python Celery client can call a Bullpen worker
 * and a Bullpen client can call a Celery worker. See {@link dev.bullpen.protocol.TaskMessageCodec}.
 */
@NullMarked
package dev.bullpen.protocol;

import org.jspecify.annotations.NullMarked;
