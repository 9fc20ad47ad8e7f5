package dev.bullpen.bench;

import org.jspecify.annotations.Nullable;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.result.TaskState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A message that is not a task, and a task that throws on every run ({@code demo.flaky} with more
 * failures than its three retries), both end in {@code <queue>.dlq}; then more tasks are sent and
 * all of them succeed, so the workers kept serving.
 */
final class PoisonRun {

    static final String DEAD_REASON = "x-bullpen-dead-reason";
    static final String MAX_RETRIES_EXCEEDED = "max retries exceeded";

    private final ChaosRig rig;
    private final int followUps;

    PoisonRun(ChaosRig rig, int followUps) {
        this.rig = rig;
        this.followUps = followUps;
    }

    ScenarioResult run(ChaosScenarios scenarios) throws Exception {
        String name = "a poison message and a task that always throws, then " + followUps + " " + ChaosScenarios.SLEEP + "(0.01)";
        Instant start = Instant.now();
        String dlq = ChaosRig.QUEUE + ".dlq";
        String poison = "poison-" + UUID.randomUUID();
        List<String> failures = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try (Connection connection = rig.endpoints().amqpFactory().newConnection("bullpen-chaos-poison");
             Channel channel = connection.createChannel();
             TaskClient client = rig.client()) {
            long before = channel.queueDeclarePassive(dlq).getMessageCount();
            channel.confirmSelect();
            channel.basicPublish("", ChaosRig.QUEUE, new AMQP.BasicProperties.Builder().contentType("application/json")
                    .deliveryMode(2).messageId(poison).build(), "{\"this is\": not a task".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
            TaskHandle flaky = client.send("demo.flaky", List.of(1_000_000));
            ids.add(flaky.id());

            ChaosScenarios.awaitAtLeast(() -> messages(channel, dlq) - (int) before, 2, Duration.ofSeconds(90));
            List<GetResponse> dead = peek(connection, dlq);
            GetResponse poisoned = dead.stream().filter(m -> poison.equals(m.getProps().getMessageId())).findFirst().orElse(null);
            GetResponse failed = dead.stream().filter(m -> m.getProps().getHeaders() != null
                    && flaky.id().equals(String.valueOf(m.getProps().getHeaders().get("id")))).findFirst().orElse(null);
            String poisonReason = reason(poisoned);
            String failedReason = reason(failed);
            if (poisoned == null) {
                failures.add("the poison message is not in " + dlq);
            }
            if (failed == null || !MAX_RETRIES_EXCEEDED.equals(failedReason)) {
                failures.add("demo.flaky is not in " + dlq + " as '" + MAX_RETRIES_EXCEEDED + "' (reason: " + failedReason + ")");
            }
            TaskState flakyState = rig.results().get(flaky.id()).state();
            if (flakyState != TaskState.FAILURE) {
                failures.add("demo.flaky's stored state is " + flakyState + ", not FAILURE");
            }
            ChaosScenarios.Batch batch = ChaosScenarios.Batch.send(client, followUps);
            batch.await(ChaosScenarios.deadline(followUps));
            ids.addAll(batch.ids());
            long deadLettered = (poisoned == null ? 0 : 1) + (failed == null ? 0 : 1);
            return scenarios.outcome(name, start, batch.ids(), followUps + 2, deadLettered, failures,
                    "poison → " + dlq + " (" + poisonReason + "); demo.flaky → " + dlq + " (" + failedReason
                            + ") after 3 retries, FAILURE stored; then " + followUps + " follow-up tasks sent");
        }
    }

    private static int messages(Channel channel, String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Reads the dead letters without taking them: closing the channel puts every unacked one back. */
    private static List<GetResponse> peek(Connection connection, String queue) throws Exception {
        List<GetResponse> out = new ArrayList<>();
        try (Channel channel = connection.createChannel()) {
            GetResponse m;
            while ((m = channel.basicGet(queue, false)) != null && out.size() < 10_000) {
                out.add(m);
            }
        }
        return out;
    }

    private static String reason(@Nullable GetResponse message) {
        if (message == null || message.getProps().getHeaders() == null) {
            return "none";
        }
        Map<String, Object> headers = message.getProps().getHeaders();
        return Objects.toString(headers.get(DEAD_REASON), "none");
    }
}
