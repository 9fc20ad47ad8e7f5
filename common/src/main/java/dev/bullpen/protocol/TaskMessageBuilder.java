package dev.bullpen.protocol;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds a new task message with Celery's defaults: {@code lang} "py" (Celery workers ignore it,
 * and some tools expect it), {@code root_id} the task's own id, {@code origin} this process,
 * {@code argsrepr}/{@code kwargsrepr} computed from the arguments.
 */
public final class TaskMessageBuilder {

    private static final String ORIGIN = "gen" + ProcessHandle.current().pid() + "@" + hostname();

    private final String task;
    private final String id;
    private ArrayNode args = CeleryJson.mapper().createArrayNode();
    private ObjectNode kwargs = CeleryJson.mapper().createObjectNode();
    private Embed embed = Embed.NONE;
    private @Nullable OffsetDateTime eta;
    private @Nullable OffsetDateTime expires;
    private @Nullable String rootId;
    private @Nullable String parentId;
    private @Nullable String group;
    private @Nullable Integer groupIndex;
    private int retries;
    private TimeLimit timeLimit = TimeLimit.NONE;
    private boolean ignoreResult;
    private int priority;
    private @Nullable String replyTo;
    private final Map<String, @Nullable Object> extra = new LinkedHashMap<>();

    TaskMessageBuilder(String task, String id) {
        this.task = task;
        this.id = id;
    }

    /** Starts a message for {@code task} with the given id. */
    public static TaskMessageBuilder of(String task, String id) {
        return new TaskMessageBuilder(task, id);
    }

    public TaskMessageBuilder args(ArrayNode args) {
        this.args = args;
        return this;
    }

    public TaskMessageBuilder kwargs(ObjectNode kwargs) {
        this.kwargs = kwargs;
        return this;
    }

    public TaskMessageBuilder embed(Embed embed) {
        this.embed = embed;
        return this;
    }

    public TaskMessageBuilder eta(@Nullable OffsetDateTime eta) {
        this.eta = eta;
        return this;
    }

    public TaskMessageBuilder expires(@Nullable OffsetDateTime expires) {
        this.expires = expires;
        return this;
    }

    public TaskMessageBuilder rootId(@Nullable String rootId) {
        this.rootId = rootId;
        return this;
    }

    public TaskMessageBuilder parentId(@Nullable String parentId) {
        this.parentId = parentId;
        return this;
    }

    public TaskMessageBuilder group(@Nullable String group, @Nullable Integer groupIndex) {
        this.group = group;
        this.groupIndex = groupIndex;
        return this;
    }

    public TaskMessageBuilder retries(int retries) {
        this.retries = retries;
        return this;
    }

    public TaskMessageBuilder timeLimit(TimeLimit timeLimit) {
        this.timeLimit = timeLimit;
        return this;
    }

    public TaskMessageBuilder ignoreResult(boolean ignoreResult) {
        this.ignoreResult = ignoreResult;
        return this;
    }

    public TaskMessageBuilder priority(int priority) {
        this.priority = priority;
        return this;
    }

    public TaskMessageBuilder replyTo(@Nullable String replyTo) {
        this.replyTo = replyTo;
        return this;
    }

    /** Adds a header of the caller's own; it travels with the task and its retries. */
    public TaskMessageBuilder header(String name, @Nullable Object value) {
        this.extra.put(name, value);
        return this;
    }

    /**
     * Builds the message. Unlike Celery 5.2+ (#6957), {@code expires} does not become a per-message
     * TTL ({@code expiration}): the broker would drop an expired task unseen and it would read as
     * PENDING forever, where a Bullpen worker marks it REVOKED ("expired") for all to see. A message
     * from Celery that does carry {@code expiration} is still honoured by the broker.
     */
    public TaskMessage build() {
        TaskHeaders headers = new TaskHeaders("py", task, id, null, eta, expires, group, groupIndex, retries,
                timeLimit, rootId == null ? id : rootId, parentId, PythonRepr.ofArgs(args),
                PythonRepr.ofKwargs(kwargs), ORIGIN, ignoreResult, extra);
        DeliveryProperties props = new DeliveryProperties(id, DeliveryProperties.JSON, "utf-8", 2, priority,
                replyTo, null);
        return new TaskMessage(headers, args, kwargs, embed, props);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception ex) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
