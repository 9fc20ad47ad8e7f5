package dev.bullpen.worker.internal.control;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.PythonRepr;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.worker.WorkerProperties;
import dev.bullpen.worker.internal.run.ActiveTask;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskRegistry;
import dev.bullpen.worker.internal.run.TaskRunner;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The remote-control commands a Bullpen worker answers, with the replies of Celery's
 * {@code celery/worker/control.py}, so {@code celery inspect ...} and {@code app.control} read them
 * as a Python worker's. A revoke goes to the durable revocations every Bullpen worker watches: the
 * same path as {@code TaskClient.revoke}, so a waiting task never runs and, with terminate, a running
 * one is interrupted on whichever worker runs it.
 */
public final class ControlCommands {

    /** The commands answered, as {@code celery inspect}/{@code celery control} name them. */
    static final Set<String> SUPPORTED = Set.of("ping", "registered", "active_queues", "stats", "active", "query_task",
            "scheduled", "clock", "hello", "revoke", "terminate");

    private static final Logger log = LoggerFactory.getLogger(ControlCommands.class);

    private final WorkerProperties properties;
    private final String node;
    private final TaskRegistry registry;
    private final TaskRunner runner;
    private final @Nullable Revocations revocations;
    private final TaskMeters meters;
    private final LamportClock clock;
    private final ConnectionFactory broker;
    private final Supplier<@Nullable String> directQueue;

    ControlCommands(WorkerProperties properties, TaskRegistry registry, TaskRunner runner,
            @Nullable Revocations revocations, TaskMeters meters, LamportClock clock, ConnectionFactory broker) {
        this(properties, registry, runner, revocations, meters, clock, broker, () -> null);
    }

    /** @param directQueue the worker's direct queue ({@code <node>.dq2}) while it consumes it, else null */
    public ControlCommands(WorkerProperties properties, TaskRegistry registry, TaskRunner runner,
            @Nullable Revocations revocations, TaskMeters meters, LamportClock clock, ConnectionFactory broker,
            Supplier<@Nullable String> directQueue) {
        this.directQueue = directQueue;
        this.properties = properties;
        this.node = properties.nodeName(); // looked up once: the default asks the resolver for the host name
        this.registry = registry;
        this.runner = runner;
        this.revocations = revocations;
        this.meters = meters;
        this.clock = clock;
        this.broker = broker;
    }

    /** This node's reply to {@code method}; an unknown method is an {@code {"error": ...}} reply, as in Celery. */
    JsonNode handle(String method, ObjectNode arguments) {
        return switch (method) {
            case "ping" -> ok("pong");
            case "registered", "dump_tasks" -> registered();
            case "active_queues" -> activeQueues();
            case "stats" -> stats();
            case "active", "dump_active" -> active(arguments.path("safe").asBoolean(false));
            case "query_task" -> queryTask(ids(arguments.path("ids")));
            // Bullpen's ETA tasks wait on the broker (delay queues), never in the worker: nothing is scheduled here.
            case "scheduled", "dump_schedule" -> CeleryJson.mapper().createArrayNode();
            case "clock" -> object().put("clock", clock.value());
            case "hello" -> hello(arguments.path("from_node").asString(""));
            case "revoke" -> revoke(ids(arguments.path("task_id")), arguments.path("terminate").asBoolean(false));
            case "terminate" -> revoke(ids(arguments.path("task_id")), true);
            default -> error("unknown control command '" + method + "': a Bullpen worker answers "
                    + SUPPORTED.stream().sorted().collect(Collectors.joining(", ")));
        };
    }

    /** Task names only: Bullpen tasks have none of the attributes ({@code rate_limit}, ...) Celery may append. */
    private JsonNode registered() {
        ArrayNode names = CeleryJson.mapper().createArrayNode();
        registry.names().forEach(names::add);
        return names;
    }

    /**
     * Each consumed queue as kombu's {@code Queue.as_dict(recurse=True)}, declared as Bullpen declares
     * it; the direct queue last, as Celery's {@code worker_direct(hostname)}: exchange {@code C.dq2},
     * routing key the node name.
     */
    private JsonNode activeQueues() {
        ArrayNode queues = CeleryJson.mapper().createArrayNode();
        for (String queue : properties.queues()) {
            describe(queues, queue, queue, queue);
        }
        String own = directQueue.get();
        if (own != null) {
            describe(queues, own, BrokerTopology.DIRECT_EXCHANGE, node);
        }
        return queues;
    }

    private static void describe(ArrayNode queues, String queue, String exchange, String routingKey) {
        ObjectNode q = queues.addObject().put("name", queue);
        q.putObject("exchange").put("name", exchange).put("type", "direct").putNull("arguments").put("durable", true)
                .put("passive", false).put("auto_delete", false).putNull("delivery_mode").put("no_declare", false);
        q.put("routing_key", routingKey).putNull("queue_arguments").putNull("binding_arguments")
                .putNull("consumer_arguments").put("durable", true).put("exclusive", false).put("auto_delete", false)
                .put("no_ack", false).putNull("alias").putArray("bindings");
        q.putNull("no_declare").putNull("expires").putNull("message_ttl").putNull("max_length")
                .putNull("max_length_bytes").putNull("max_priority");
    }

    /** Celery's worker statistics, for what a JVM worker has: no prefork pool, and no {@code rusage}. */
    private JsonNode stats() {
        long pid = ProcessHandle.current().pid();
        ObjectNode stats = object();
        ObjectNode total = stats.putObject("total");
        meters.startedByTask().forEach(total::put);
        stats.put("pid", pid).put("clock", Long.toString(clock.value()))
                .put("uptime", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
        ObjectNode pool = stats.putObject("pool").put("implementation", "bullpen:virtual-threads")
                .put("max-concurrency", properties.concurrency());
        pool.putArray("processes").add(pid);
        pool.put("max-tasks-per-child", "N/A").put("put-guarded-by-semaphore", false).putArray("timeouts").add(0).add(0);
        ObjectNode amqp = stats.putObject("broker").put("hostname", broker.getHost()).put("userid", broker.getUsername())
                .put("virtual_host", broker.getVirtualHost()).put("port", broker.getPort()).put("insist", false)
                .put("ssl", broker.isSSL()).put("transport", "amqp")
                .put("connect_timeout", broker.getConnectionTimeout() / 1000.0);
        amqp.putObject("transport_options");
        amqp.put("login_method", "PLAIN").putNull("uri_prefix").put("heartbeat", (double) broker.getRequestedHeartbeat())
                .put("failover_strategy", "round-robin").putArray("alternates");
        stats.put("prefetch_count", properties.effectivePrefetch());
        stats.put("rusage", "N/A");
        stats.put("sw_ident", "bullpen");
        return stats;
    }

    private JsonNode active(boolean safe) {
        ArrayNode active = CeleryJson.mapper().createArrayNode();
        runner.active().forEach(task -> active.add(info(task, safe)));
        return active;
    }

    /** Celery's {@code {id: [state, info]}} for the ids running here; Bullpen keeps no record of the rest. */
    private JsonNode queryTask(List<String> ids) {
        ObjectNode found = object();
        for (ActiveTask task : runner.active()) {
            if (ids.contains(task.message().id())) {
                found.putArray(task.message().id()).add("active").add(info(task, false));
            }
        }
        return found;
    }

    /** Celery's {@code Request.info()}. The message is acknowledged only once the result is stored. */
    private ObjectNode info(ActiveTask task, boolean safe) {
        var message = task.message();
        ObjectNode info = object().put("id", message.id()).put("name", message.task());
        if (safe) {
            String argsrepr = message.headers().argsrepr();
            String kwargsrepr = message.headers().kwargsrepr();
            info.put("args", argsrepr != null ? argsrepr : PythonRepr.ofArgs(message.args()));
            info.put("kwargs", kwargsrepr != null ? kwargsrepr : PythonRepr.ofKwargs(message.kwargs()));
        } else {
            info.set("args", message.args());
            info.set("kwargs", message.kwargs());
        }
        info.put("type", message.task()).put("hostname", node)
                .put("time_start", task.startedAt().toEpochMilli() / 1000.0).put("acknowledged", false);
        info.putObject("delivery_info").put("exchange", "").put("routing_key", task.queue())
                .put("priority", message.properties().priority()).putNull("redelivered");
        info.put("worker_pid", ProcessHandle.current().pid());
        return info;
    }

    /** Celery's mingle greeting from a starting Python worker: the clock, and no revoked ids (they are in Redis). */
    private JsonNode hello(String fromNode) {
        if (fromNode.equals(node)) {
            return NullNode.getInstance();
        }
        ObjectNode reply = object();
        reply.putObject("revoked");
        return reply.put("clock", clock.forward());
    }

    private JsonNode revoke(List<String> ids, boolean terminate) {
        if (ids.isEmpty()) {
            return error("revoke: no task_id given");
        }
        if (revocations == null) {
            return error("revoke: this worker has no revocation store (Bullpen keeps revocations in Redis); nothing revoked");
        }
        Set<String> runningHere = new LinkedHashSet<>();
        runner.active().forEach(task -> {
            if (ids.contains(task.message().id())) {
                runningHere.add(task.message().id());
            }
        });
        for (String id : ids) {
            // Every Bullpen worker gets a broadcast revoke: once stored, the others need not store it again.
            if (terminate || !revocations.isRevoked(id)) {
                revocations.revoke(id, terminate);
            }
        }
        if (terminate) {
            log.info("Tasks revoked with terminate by remote control: {}", ids);
            return ok(runningHere.isEmpty() ? "terminate: tasks unknown" : "terminate: " + String.join(", ", runningHere));
        }
        log.info("Tasks flagged as revoked by remote control: {}", ids);
        return ok("tasks " + String.join(", ", ids) + " flagged as revoked");
    }

    /** A task id or a list of them, as Celery's {@code maybe_list}. */
    private static List<String> ids(JsonNode node) {
        List<String> ids = new ArrayList<>();
        if (node.isString()) {
            ids.add(node.stringValue());
        } else if (node.isArray()) {
            node.forEach(id -> {
                if (id.isString() && !ids.contains(id.stringValue())) {
                    ids.add(id.stringValue());
                }
            });
        }
        return ids;
    }

    static ObjectNode ok(String value) {
        return object().put("ok", value);
    }

    static ObjectNode error(String value) {
        return object().put("error", value);
    }

    private static ObjectNode object() {
        return CeleryJson.mapper().createObjectNode();
    }
}
