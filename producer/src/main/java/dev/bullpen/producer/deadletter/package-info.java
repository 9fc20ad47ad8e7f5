/**
 * The {@code /api/dead-letters} resource: list the messages a worker parked in {@code <queue>.dlq}
 * (malformed messages, tasks that failed their last retry) without taking them off the queue, and
 * replay one to its original queue. Everything here is package-private; the HTTP contract is the API.
 */
@NullMarked
package dev.bullpen.producer.deadletter;

import org.jspecify.annotations.NullMarked;
