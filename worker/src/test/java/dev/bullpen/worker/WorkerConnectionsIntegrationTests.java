package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.client.Workflow;
import dev.bullpen.test.BrokerManagement;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.internal.topology.DeadLetters;
import dev.bullpen.worker.test.InProcessWorker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker opens three AMQP connections, however many kinds of message it publishes: one that
 * consumes tasks, one for remote control, and one that publishes (dead letters, delays, heartbeats
 * and the follow-up tasks of workflows, each on channels of its own). Each kind of publish is made
 * to happen here, and the broker's own list of connections is read back. An unreadable message is
 * published, so the class has a virtual host of its own.
 */
class WorkerConnectionsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClassInOwnVhost();

    static final String QUEUE = services.queue("connections");
    static final String NODE = services.workerName("connections");
    static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final InProcessWorker worker = InProcessWorker.on(services).queues(QUEUE).name(NODE)
            .property("bullpen.client.default-queue", QUEUE).build();

    final BrokerManagement management = new BrokerManagement(services);

    @Test
    void consumingRemoteControlAndPublishingAreTheWorkersOnlyConnections() throws Exception {
        // The worker connects on a thread of its own: its queues (and their dead-letter queues) are
        // declared once it consumes.
        await().atMost(WAIT).until(() -> worker.bean(Worker.class).isConsuming());
        TaskClient client = worker.client();
        // A delay: the worker parks a task whose countdown has not run out on the delay exchanges.
        TaskHandle delayed = client.send("demo.add", List.of(1, 2), Map.of(),
                TaskOptions.defaults().queue(QUEUE).countdown(Duration.ofSeconds(2)));
        // Follow-up tasks: the worker sends a chain's next step.
        TaskHandle chained = client.apply(Workflow.chain(Workflow.task("demo.add", List.of(1, 1), Map.of()),
                Workflow.task("demo.add", List.of(5), Map.of())));
        // A dead letter: a body no codec can read.
        try (Connection amqp = services.amqpConnectionFactory().newConnection("connections-test");
                Channel channel = amqp.createChannel()) {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .headers(Map.of("id", "unreadable", "task", "demo.add", "lang", "py")).build();
            channel.basicPublish("", QUEUE, props, "{not json".getBytes(StandardCharsets.UTF_8));
            await().atMost(WAIT).until(() -> channel.basicGet(DeadLetters.queueFor(QUEUE), true) != null);
        }
        assertThat(delayed.get(WAIT).asInt()).isEqualTo(3);
        assertThat(chained.get(WAIT).asInt()).isEqualTo(7);

        String vhost = services.virtualHost();
        for (String name : List.of(NODE, NODE + " remote control", NODE + " publishing")) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(management.connectionsNamed(vhost, name))
                    .as("connections named '%s'", name).hasSize(1));
        }
        assertThat(management.connectionNames(vhost)).filteredOn(name -> name.startsWith(NODE))
                .containsExactlyInAnyOrder(NODE, NODE + " remote control", NODE + " publishing");
    }
}
