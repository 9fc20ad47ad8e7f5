package dev.bullpen.worker.internal;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs one task message to its end and stores the outcome. Returns only once the result is stored,
 * so the caller may then acknowledge the message; if storing fails it throws, and the message must
 * not be acknowledged.
 */
public final class TaskRunner {

    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
    private static final int MAX_TRACEBACK = 64 * 1024;

    private final TaskRegistry registry;
    private final ResultBackend results;
    private final String workerName;
    private final boolean trackStarted;

    public TaskRunner(TaskRegistry registry, ResultBackend results, String workerName, boolean trackStarted) {
        this.registry = registry;
        this.results = results;
        this.workerName = workerName;
        this.trackStarted = trackStarted;
    }

    /** Runs the task and stores its result. */
    public void run(TaskMessage message, String queue) {
        ResultMeta meta = meta(message, queue);
        TaskMethod method = registry.find(message.task());
        if (method == null) {
            // What a Celery worker stores for a name it does not know, so Python's get() raises NotRegistered.
            log.error("Received unregistered task {}[{}] on queue {}: stored FAILURE NotRegistered",
                    message.task(), message.id(), queue);
            results.store(TaskResult.failure(message.id(), TaskState.FAILURE, new RemoteError("NotRegistered",
                    "celery.exceptions", List.of(CeleryJson.mapper().getNodeFactory().stringNode(message.task())), null), meta));
            return;
        }
        if (trackStarted) {
            ObjectNode started = CeleryJson.mapper().createObjectNode();
            started.put("pid", ProcessHandle.current().pid());
            started.put("hostname", workerName);
            results.store(new TaskResult(message.id(), TaskState.STARTED, started, null, null, meta));
        }
        long start = System.nanoTime();
        TaskResult outcome;
        try {
            Object value = method.invoke(new Invocation(message, queue, workerName));
            outcome = TaskResult.success(message.id(), toJson(value), meta);
            log.debug("Task {}[{}] succeeded in {} ms", message.task(), message.id(), millis(start));
        } catch (TaskArgumentException ex) {
            outcome = TaskResult.failure(message.id(), TaskState.FAILURE, new RemoteError("TypeError", "builtins",
                    List.of(CeleryJson.mapper().getNodeFactory().stringNode(ex.getMessage())), traceback(ex)), meta);
            log.warn("Task {}[{}] called with arguments that do not fit: {}", message.task(), message.id(), ex.getMessage());
        } catch (Throwable ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (ex instanceof VirtualMachineError vm) {
                throw vm;
            }
            outcome = TaskResult.failure(message.id(), TaskState.FAILURE, RemoteError.of(ex, traceback(ex)), meta);
            log.warn("Task {}[{}] failed in {} ms: {}", message.task(), message.id(), millis(start), ex.toString());
        }
        if (!message.headers().ignoreResult()) {
            results.store(outcome);
        }
    }

    /** Stores REVOKED for a task that will not run, with Celery's {@code TaskRevokedError(reason)}. */
    public void revoke(TaskMessage message, String queue, String reason) {
        log.info("Task {}[{}] {}: not run, stored REVOKED", message.task(), message.id(), reason);
        RemoteError error = new RemoteError("TaskRevokedError", "celery.exceptions",
                List.of(CeleryJson.mapper().getNodeFactory().stringNode(reason)), null);
        results.store(TaskResult.failure(message.id(), TaskState.REVOKED, error, meta(message, queue)));
    }

    private ResultMeta meta(TaskMessage message, String queue) {
        return new ResultMeta(message.task(), message.args(), message.kwargs(), workerName,
                message.headers().retries(), queue, message.headers().parentId(), message.headers().group());
    }

    private static JsonNode toJson(Object value) {
        try {
            return CeleryJson.mapper().valueToTree(value);
        } catch (JacksonException ex) {
            throw new IllegalStateException("the task's return value cannot be converted to JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    private static String traceback(Throwable ex) {
        StringWriter out = new StringWriter();
        ex.printStackTrace(new PrintWriter(out));
        String text = out.toString();
        return text.length() <= MAX_TRACEBACK ? text : text.substring(0, MAX_TRACEBACK) + "\n... (truncated)";
    }

    private static String millis(long startNanos) {
        return String.format("%.1f", (System.nanoTime() - startNanos) / 1e6);
    }
}
