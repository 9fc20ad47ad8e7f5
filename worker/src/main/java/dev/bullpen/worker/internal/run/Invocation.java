package dev.bullpen.worker.internal.run;

import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.worker.SoftTimeLimitExceeded;
import dev.bullpen.worker.TaskContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A {@link TaskContext} over the message being run; {@code attempt} is the run, for its soft time limit. */
record Invocation(TaskMessage message, String queue, String workerName, @Nullable Attempt attempt) implements TaskContext {

    private static final TaskMessageCodec CODEC = new TaskMessageCodec();

    Invocation(TaskMessage message, String queue, String workerName) {
        this(message, queue, workerName, null);
    }

    @Override
    public String id() {
        return message.id();
    }

    @Override
    public String task() {
        return message.task();
    }

    @Override
    public int retries() {
        return message.headers().retries();
    }

    @Override
    public @Nullable String rootId() {
        return message.headers().rootId();
    }

    @Override
    public @Nullable String parentId() {
        return message.headers().parentId();
    }

    @Override
    public @Nullable String groupId() {
        return message.headers().group();
    }

    @Override
    public @Nullable OffsetDateTime eta() {
        return message.headers().eta();
    }

    @Override
    public @Nullable OffsetDateTime expires() {
        return message.headers().expires();
    }

    @Override
    public Map<String, @Nullable Object> headers() {
        return CODEC.headers(message.headers());
    }

    @Override
    public ArrayNode args() {
        return message.args();
    }

    @Override
    public ObjectNode kwargs() {
        return message.kwargs();
    }

    @Override
    public RuntimeException retry() {
        throw new RetryRequest(null, null);
    }

    @Override
    public RuntimeException retry(Duration countdown) {
        throw new RetryRequest(Objects.requireNonNull(countdown, "countdown"), null);
    }

    @Override
    public RuntimeException retry(Duration countdown, Throwable cause) {
        throw new RetryRequest(Objects.requireNonNull(countdown, "countdown"), Objects.requireNonNull(cause, "cause"));
    }

    @Override
    public <T> T withinSoftTimeLimit(Callable<T> work) throws Exception {
        try {
            return work.call();
        } catch (Exception ex) {
            if (attempt != null && attempt.softened(ex) instanceof SoftTimeLimitExceeded exceeded) {
                throw exceeded;
            }
            throw ex;
        }
    }

    @Override
    public void checkSoftTimeLimit() {
        if (attempt != null && attempt.limits().soft() != null && attempt.takeSoftLimitPassed()) {
            Thread.interrupted();
            throw new SoftTimeLimitExceeded(attempt.limits().soft(), null);
        }
    }
}
