package dev.bullpen.autoconfigure;

import dev.bullpen.client.QueueDefinition;
import dev.bullpen.client.TaskRoutes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
public record RoutingProperties(@Nullable Map<String, String> routes, @Nullable Map<String, QueueDefinition> queues) {

    public RoutingProperties {
        // Boot binds maps in the order of their source, which TaskRoutes keeps for its tie-break.
        routes = routes == null ? Map.of() : new LinkedHashMap<>(routes);
        queues = queues == null ? Map.of() : Map.copyOf(queues);
        toRoutes(); // a bad pattern fails at startup, naming the property
    }

    /** The routes, checked. */
    public TaskRoutes toRoutes() {
        return TaskRoutes.of(routes);
    }
}
