package dev.bullpen.bench;

import java.time.Duration;
import java.util.List;

/**
 * What one chaos scenario measured, and what went wrong, if anything.
 *
 * @param accepted tasks the broker confirmed (for the HTTP scenario: answered 202)
 * @param succeeded of those, tasks whose stored result is SUCCESS at the end
 * @param deadLettered of those, tasks found in the dead-letter queue, as they should be
 * @param lost accepted tasks that neither succeeded nor were dead-lettered
 * @param duplicateSuccessWrites SUCCESS writes beyond the first for one task, summed: must be 0
 * @param ranMoreThanOnce tasks run to the end more than once (redelivered; fine under at-least-once)
 * @param failures why the scenario failed; empty when it passed
 * @param notes what happened, for the reader
 */
record ScenarioResult(String scenario, long accepted, long succeeded, long deadLettered, long lost,
        long duplicateSuccessWrites, long ranMoreThanOnce, Duration elapsed, List<String> failures, String notes) {

    boolean passed() {
        return failures.isEmpty();
    }
}
