/**
 * The built-in task {@code bullpen.exec}: runs a program from the worker's allowlist
 * ({@link dev.bullpen.worker.exec.ExecProperties}) with a list of arguments, never through a shell:
 * only the flags listed for that program, and only files in the configured work-dir. It runs in the
 * work-dir (or a scratch directory), with an environment that is not the worker's, within a timeout
 * and output caps. Its result is a
 * {@link dev.bullpen.worker.exec.CommandResult}; what goes wrong is one of the
 * {@link dev.bullpen.worker.exec.CommandException} types, stored as the task's FAILURE.
 */
@NullMarked
package dev.bullpen.worker.exec;

import org.jspecify.annotations.NullMarked;
