/**
 * Task states and results, and the {@link dev.bullpen.result.ResultBackend} contract with its
 * Redis implementation in Celery's format, so Celery clients read Bullpen results and back.
 */
@NullMarked
package dev.bullpen.result;

import org.jspecify.annotations.NullMarked;
