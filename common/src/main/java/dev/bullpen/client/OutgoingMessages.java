package dev.bullpen.client;

import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TimeLimit;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A task call as the Celery message {@link TaskClient} sends: what its options mean on the wire. */
final class OutgoingMessages {

    private OutgoingMessages() {
    }

    /** The message for one call; its id is the options' task id, or a new random one. */
    static TaskMessage of(String task, List<?> args, Map<String, ?> kwargs, TaskOptions options) {
        if (task.isBlank()) {
            throw new IllegalArgumentException("task name must not be blank");
        }
        String id = options.taskId() == null ? UUID.randomUUID().toString() : options.taskId();
        Instant now = Instant.now();
        Instant startAfter = options.startAfter(now);
        return TaskMessageBuilder.of(task, id)
                .args(CeleryJson.mapper().valueToTree(args) instanceof ArrayNode a ? a : CeleryJson.mapper().createArrayNode())
                .kwargs(CeleryJson.mapper().valueToTree(kwargs) instanceof ObjectNode o ? o : CeleryJson.mapper().createObjectNode())
                .eta(utc(startAfter))
                .expires(utc(options.expires()))
                .priority(options.priority() == null ? 0 : options.priority())
                .timeLimit(new TimeLimit(seconds(options.timeLimit()), seconds(options.softTimeLimit())))
                .ignoreResult(options.ignoreResult())
                .header(MeterNames.PUBLISHED_AT_HEADER, now.toEpochMilli() / 1000.0)
                .build();
    }

    private static @Nullable OffsetDateTime utc(@Nullable Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static @Nullable Double seconds(@Nullable Duration duration) {
        return duration == null ? null : duration.toNanos() / 1e9;
    }
}
