/**
 * Bullpen's producer: an HTTP service that pitches tasks onto RabbitMQ in Celery's protocol v2 and
 * reads their results from the result backend. Configured by {@link dev.bullpen.producer.ProducerProperties}.
 */
@NullMarked
package dev.bullpen.producer;

import org.jspecify.annotations.NullMarked;
