/**
 * The built-in task {@code bullpen.exec}: runs a program from the worker's allowlist
 * ({@link dev.bullpen.worker.exec.ExecProperties}) with a list of arguments, never through a shell,
 * in a scratch directory of its own, within a timeout and output caps. Its result is a
 * {@link dev.bullpen.worker.exec.CommandResult}; what goes wrong is one of the
 * {@link dev.bullpen.worker.exec.CommandException} types, stored as the task's FAILURE.
 */
@NullMarked
package dev.bullpen.worker.exec;

import org.jspecify.annotations.NullMarked;
