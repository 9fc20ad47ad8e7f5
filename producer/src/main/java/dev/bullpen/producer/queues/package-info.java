/**
 * The {@code /api/queues} resource and the queue gauges: depth, unacknowledged messages, consumers
 * and rates of each task queue and dead-letter queue, polled from the broker.
 */
@NullMarked
package dev.bullpen.producer.queues;

import org.jspecify.annotations.NullMarked;
