package dev.bullpen.client;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.metrics.TagValues;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.revoke.Revocations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link TaskClient} ({@link TaskClient#builder}); every setting but where the broker is and
 * where results are read has a default.
 */
public final class TaskClientBuilder {

    private final ConnectionFactory amqp;
    private final ResultBackend results;
    private @Nullable Revocations revocations;
    private TaskClientSettings settings = TaskClientSettings.defaults();
    private MeterRegistry meters = Metrics.globalRegistry;
    private TagValues tags = TagValues.AS_IS;
    private String connectionName = "bullpen-client";
    private @Nullable ConfirmingPublisher sharing;

    TaskClientBuilder(ConnectionFactory amqp, ResultBackend results) {
        this.amqp = amqp;
        this.results = results;
    }

    /** Where {@link TaskControl#revoke} records revoked ids; without them the client cannot revoke. */
    public TaskClientBuilder revocations(@Nullable Revocations revocations) {
        this.revocations = revocations;
        return this;
    }

    /** Queue and publishing settings; {@link TaskClientSettings#defaults()} if not given. */
    public TaskClientBuilder settings(TaskClientSettings settings) {
        this.settings = settings;
        return this;
    }

    /** Where tasks published and publish latency ({@link MeterNames}) are recorded; Micrometer's global registry if not given. */
    public TaskClientBuilder meters(MeterRegistry meters) {
        this.meters = meters;
        return this;
    }

    /** The tag values task and queue names become on those meters; {@link TagValues#AS_IS} if not given. */
    public TaskClientBuilder tags(TagValues tags) {
        this.tags = tags;
        return this;
    }

    /** The name of the client's connection, as the broker's management UI shows it; {@code bullpen-client} if not given. */
    public TaskClientBuilder connectionName(String connectionName) {
        this.connectionName = connectionName;
        return this;
    }

    /**
     * Publishes on {@code publisher}'s connection, on channels of its own, instead of opening a
     * connection (so a worker sends follow-up tasks on the connection it publishes on anyway).
     * Closing the client then closes its channels only.
     */
    public TaskClientBuilder sharing(@Nullable ConfirmingPublisher publisher) {
        this.sharing = publisher;
        return this;
    }

    /** The client; it connects on its first send. */
    public TaskClient build() {
        return new TaskClient(this);
    }

    ConnectionFactory amqp() {
        return amqp;
    }

    ResultBackend results() {
        return results;
    }

    @Nullable Revocations revocations() {
        return revocations;
    }

    TaskClientSettings settings() {
        return settings;
    }

    MeterRegistry meters() {
        return meters;
    }

    TagValues tags() {
        return tags;
    }

    String connectionName() {
        return connectionName;
    }

    @Nullable ConfirmingPublisher sharing() {
        return sharing;
    }
}
