/** What the worker declares on the broker and publishes back to it outside a task's own queue: its queues as Celery declares them, dead-letter queues, delayed delivery, its direct queue. Not API. */
@NullMarked
package dev.bullpen.worker.internal.topology;

import org.jspecify.annotations.NullMarked;
