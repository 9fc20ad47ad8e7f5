/** Run a task: the registry of task methods, argument binding, one attempt with its time limits, the result written (ack only after it is stored), retries, the built-in pool tasks, what follows a task (links, chain steps, chord bodies), and the task meters. Not API. */
@NullMarked
package dev.bullpen.worker.internal.run;

import org.jspecify.annotations.NullMarked;
