package dev.bullpen.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %m}, {@code %msg} and {@code %message}, with control characters
 * {@linkplain ControlCharacters#escape escaped}: a task name or id that came in a message from the
 * broker cannot start a line of its own in the log, nor move the terminal's cursor. Stack traces
 * ({@code %wEx}) keep their lines.
 */
public final class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return ControlCharacters.escape(super.convert(event));
    }
}
