package dev.bullpen.autoconfigure;

import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.TaskRoutes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * {@code bullpen.routes} and {@code bullpen.queues}: which queue a task goes to, and how queues are
 * declared. Read by the client and the worker alike, so both declare a queue with the same arguments.
 *
 * <pre>{@code
 * bullpen:
 *   routes:
 *     "[images.*]": images      # brackets keep the '*' and the dots in the key
 *     "[mail.send]": mail
 *   queues:
 *     images:
 *       max-priority: 9
 * }</pre>
 *
 * @param routes task name or glob to queue, for tasks sent without a queue (see {@link TaskRoutes})
 * @param queues queue name to its definition; a queue not named here is declared as Celery declares
 *        it (durable, no arguments)
 */
@ConfigurationProperties("bullpen")
public record RoutingProperties(Map<String, String> routes, Map<String, QueueDefinition> queues) {

    public RoutingProperties {
        // Boot binds maps in the order of their source, which TaskRoutes keeps for its tie-break.
        routes = routes == null ? Map.of() : new LinkedHashMap<>(routes);
        queues = queues == null ? Map.of() : Map.copyOf(queues);
        TaskRoutes.of(routes); // a bad pattern fails at startup, naming the property
    }

    /**
     * Fails on a route key written without brackets around a glob ({@code bullpen.routes.images.*}):
     * Spring's binder would drop its {@code *} and its dot, and bind the exact name {@code images}
     * instead, silently routing nothing.
     *
     * @throws IllegalStateException naming the property and how to write it
     */
    public static void rejectUnbracketedGlobs(Environment environment) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return;
        }
        for (PropertySource<?> source : configurable.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (name.startsWith("bullpen.routes.") && name.contains("*")) {
                        String pattern = name.substring("bullpen.routes.".length());
                        Object queue = enumerable.getProperty(name);
                        throw new IllegalStateException("The route key '" + name + "' (in " + source.getName()
                                + ") must be written in brackets, or Spring drops its '*': bullpen.routes[" + pattern
                                + "]=" + queue + ", or in YAML \"[" + pattern + "]\": " + queue);
                    }
                }
            }
        }
    }

    /** The routes, checked. */
    public TaskRoutes toRoutes() {
        return TaskRoutes.of(routes);
    }
}
