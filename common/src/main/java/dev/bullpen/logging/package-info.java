/**
 * Log hygiene: control characters in log messages are escaped, so that hostile text (a task name
 * from a message, an id from a request) cannot forge or hide a log line.
 */
@NullMarked
package dev.bullpen.logging;

import org.jspecify.annotations.NullMarked;
