package dev.bullpen.logging;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bullpen.logging.*}: read before the application context exists, as logging is set up then.
 *
 * @param escapeControlCharacters write control characters in log messages as escapes ({@code \n},
 *        {@code \}{@code u001b}...), so that text from a request or a message cannot forge a log line
 */
@ConfigurationProperties(LoggingProperties.PREFIX)
public record LoggingProperties(@DefaultValue("true") boolean escapeControlCharacters) {

    static final String PREFIX = "bullpen.logging";
}
