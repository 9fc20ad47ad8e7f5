package dev.bullpen.protocol;

import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The AMQP headers of a protocol v2 task message. The presence of {@code task} is what marks a
 * message as protocol v2.
 *
 * @param lang the sender's language; Celery ignores it and so does Bullpen
 * @param task the registered task name to dispatch on
 * @param id the task id
 * @param shadow an alias name for logs, or {@code null}
 * @param eta do not run before this instant
 * @param expires do not run after this instant
 * @param group the id of the group this task belongs to
 * @param groupIndex the position in the group (set for chord headers)
 * @param retries how many times this task has been retried
 * @param timeLimit hard and soft time limits
 * @param rootId the id of the first task of the workflow
 * @param parentId the id of the task that called this one
 * @param argsrepr a printable form of the args, for logs and monitors
 * @param kwargsrepr a printable form of the kwargs
 * @param origin the sender, {@code gen<pid>@<host>}
 * @param ignoreResult when true no result is stored
 * @param extra any other headers, kept so that they survive a round trip
 */
public record TaskHeaders(String lang, String task, String id, @Nullable String shadow,
        @Nullable OffsetDateTime eta, @Nullable OffsetDateTime expires, @Nullable String group,
        @Nullable Integer groupIndex, int retries, TimeLimit timeLimit, @Nullable String rootId,
        @Nullable String parentId, @Nullable String argsrepr, @Nullable String kwargsrepr,
        @Nullable String origin, boolean ignoreResult, Map<String, @Nullable Object> extra) {

    public TaskHeaders {
        // Not Map.copyOf: AMQP headers may be void (null), and their order is kept for re-encoding.
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }
}
