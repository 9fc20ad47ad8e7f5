package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.client.InboundGuard;
import dev.bullpen.client.TaskClient;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BrokerManagement;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Header values the RabbitMQ Java client cannot read used to close the worker's connection, and the
 * broker then delivered the same message again, forever: no task on that queue ran again. Python
 * Celery sends one whenever a header holds an integer past 32 bits. Here, against the real broker
 * (in a virtual host of this class's own, since these messages stalled whole queues), such a task
 * runs, one the client still could not read is dead-lettered with the reason, and the worker's one
 * connection carries on throughout.
 */
@NeedsPython
@SpringBootTest(classes = {WorkerApplication.class, HostileHeadersIntegrationTests.Config.class},
        properties = "server.port=0")
class HostileHeadersIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClassInOwnVhost();

    static final String QUEUE = services.queue("hostile");
    static final String NODE = services.workerName("hostile");
    static final Duration WAIT = Duration.ofSeconds(30);
    static Path script;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.name", () -> NODE);
    }

    @BeforeAll
    static void script() throws Exception {
        script = PythonCelery.script("hostile_headers.py");
    }

    @Autowired
    ResultBackend results;

    @Autowired
    TaskClient client;

    @Autowired
    Worker worker;

    @Test
    void aCeleryTaskWithAnIntegerPast32BitsInItsHeadersRunsAndSeesItAsALong() throws Exception {
        List<String> connectionsBefore = workerConnections();
        String[] ids = PythonCelery.run(script.toString(), "celery",
                services.amqpUri().toString(), QUEUE).strip().split("\\s+");

        TaskResult wide = results.whenReady(ids[0]).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        TaskResult retried = results.whenReady(ids[1]).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(wide.state()).as("%s", wide).isEqualTo(TaskState.SUCCESS);
        assertThat(wide.result().asString()).isEqualTo("java.lang.Long 5000000000");
        assertThat(retried.state()).as("%s", retried).isEqualTo(TaskState.SUCCESS);
        assertThat(retried.result().intValue()).isEqualTo(3);
        assertThat(worker.isConsuming()).isTrue();
        assertThat(workerConnections()).as("the worker's connection never closed").isEqualTo(connectionsBefore);
    }

    @Test
    void aHeaderTheClientStillCannotReadIsDeadLetteredWithTheReasonAndTheQueueMovesOn() throws Exception {
        List<String> connectionsBefore = workerConnections();
        String id = "deep-" + UUID.randomUUID();
        // 15,000 levels: within the broker's frame_max, and enough to end the client's reader in a StackOverflowError.
        PythonCelery.run(script.toString(), "deep", services.amqpUri().toString(), QUEUE,
                "15000", id);

        GetResponse dead = awaitDeadLetter();
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertThat(headers.get(DeadLetters.REASON).toString()).startsWith("unreadable AMQP headers: header 'deep' nests "
                + "tables or arrays deeper than 32 levels");
        assertThat(headers.get("id").toString()).as("the readable headers before it are kept").isEqualTo(id);
        assertThat(headers.get("task").toString()).isEqualTo("demo.add");
        assertThat(headers).containsKey(InboundGuard.UNREADABLE_HEADERS).doesNotContainKey("deep");
        assertThat(new String(dead.getBody())).startsWith("[[1, 2], {}");

        assertThat(client.send("demo.add", List.of(20, 22)).get(WAIT, Integer.class)).isEqualTo(42);
        assertThat(results.get(id).state()).as("nothing ran").isEqualTo(TaskState.PENDING);
        assertThat(worker.isConsuming()).isTrue();
        assertThat(workerConnections()).as("the worker's connection never closed").isEqualTo(connectionsBefore);
    }

    private static GetResponse awaitDeadLetter() throws Exception {
        var factory = services.amqpConnectionFactory();
        InboundGuard.install(factory, InboundGuard.CLIENT_DEFAULT_LIMIT); // as every Bullpen reader of a queue is
        try (Connection c = factory.newConnection("hostile-headers-test"); Channel ch = c.createChannel()) {
            return await().atMost(WAIT).until(() -> ch.basicGet(DeadLetters.queueFor(QUEUE), true), r -> r != null);
        }
    }

    /** The broker's names of the worker's consuming connection: a reconnect would show a new client port. */
    private static List<String> workerConnections() throws Exception {
        BrokerManagement management = new BrokerManagement(services);
        return await().atMost(WAIT).ignoreExceptions()
                .until(() -> management.connectionsNamed(services.ownVhost(), NODE), names -> !names.isEmpty());
    }

    @TestConfiguration
    static class Config {

        @Bean
        HeaderTasks headerTasks() {
            return new HeaderTasks();
        }
    }

    static class HeaderTasks {

        /** The header's value and its Java type, as the task sees it. */
        @Task("hostile.header")
        String header(String name, TaskContext context) {
            Object value = context.headers().get(name);
            return value == null ? "null" : value.getClass().getName() + " " + value;
        }
    }
}
