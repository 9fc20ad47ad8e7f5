package dev.bullpen.logging;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Makes Logback's message conversion words escape control characters in every Spring Boot
 * application that has Bullpen on its class path (the producer, the worker, and applications using
 * the client), unless {@code bullpen.logging.escape-control-characters} is false.
 *
 * <p>It runs just before Boot configures logging, and changes Logback's default converter map
 * rather than one context's rule registry: Boot stops and resets the logger context, which empties
 * the registry and drops every context listener, whereas the default map holds for every pattern
 * layout started afterwards, Boot's default patterns and {@code logging.pattern.*} alike.
 */
public final class LogEscaping implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private static final boolean LOGBACK = ClassUtils.isPresent("ch.qos.logback.classic.pattern.MessageConverter",
            LogEscaping.class.getClassLoader());

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        LoggingProperties properties = Binder.get(event.getEnvironment())
                .bindOrCreate(LoggingProperties.PREFIX, LoggingProperties.class);
        if (LOGBACK && properties.escapeControlCharacters()) {
            LogbackRules.install();
        }
    }

    @Override
    public int getOrder() {
        return LoggingApplicationListener.DEFAULT_ORDER - 1;
    }
}
