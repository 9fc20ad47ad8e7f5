package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BrokerManagement;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TcpProxy;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker keeps consuming after it loses the broker: when every connection drops (as in a broker
 * restart; the worker reaches the shared broker through a {@link TcpProxy} the test switches off and
 * on), and when the broker itself closes the worker's connection. Its health is DOWN meanwhile and
 * UP again after, and every task submitted, before, during or after, ends SUCCESS. Tasks are sent
 * by a client connected to the broker directly, so they keep arriving during the outage.
 */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class BrokerReconnectIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("tasks");
    static final String NODE = services.workerName("reconnect");
    static final Duration WAIT = Duration.ofSeconds(60);

    static TcpProxy proxy;
    static RedisResultBackend results;
    static TaskClient direct;
    static final BrokerManagement management = new BrokerManagement(services);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        proxy = new TcpProxy(services.amqpUri().getHost(), services.amqpUri().getPort() < 0 ? 5672
                : services.amqpUri().getPort()).start();
        registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
        registry.add("spring.rabbitmq.port", () -> proxy.port());
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.worker.name", () -> NODE);
        registry.add("bullpen.worker.concurrency", () -> "4");
    }

    @BeforeAll
    static void connect() {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofMinutes(10));
        direct = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(new TaskClientSettings(QUEUE, Duration.ofSeconds(10), 1, true)).build();
    }

    @AfterAll
    static void disconnect() {
        direct.close();
        results.close();
        proxy.close();
    }

    @Autowired
    @Qualifier("bullpenWorkerHealthIndicator")
    HealthIndicator health;

    @Test
    void keepsConsumingAfterEveryConnectionDrops() {
        awaitHealth(Status.UP);
        List<TaskHandle> tasks = send(20);
        await().atMost(WAIT).until(() -> succeeded(tasks) >= 2);

        proxy.stop();

        awaitHealth(Status.DOWN);
        tasks.addAll(send(10)); // wait on the broker meanwhile
        proxy.start();
        awaitHealth(Status.UP);
        tasks.addAll(send(10));

        await().atMost(WAIT).untilAsserted(() -> assertThat(succeeded(tasks)).isEqualTo(tasks.size()));
    }

    @Test
    void keepsConsumingAfterTheBrokerClosesItsConnection() throws Exception {
        awaitHealth(Status.UP);
        List<String> before = await().atMost(WAIT).until(() -> management.connectionsNamed(NODE), names -> names.size() == 1);
        List<TaskHandle> tasks = send(20);
        await().atMost(WAIT).until(() -> succeeded(tasks) >= 2);

        management.closeConnection(before.getFirst());

        awaitHealth(Status.DOWN); // the client waits 2 s before it reconnects
        List<String> after = await().atMost(WAIT).until(() -> management.connectionsNamed(NODE),
                names -> names.size() == 1 && !names.equals(before));
        assertThat(after).as("a new connection, under the same name").doesNotContainAnyElementsOf(before);
        awaitHealth(Status.UP);
        tasks.addAll(send(10));
        await().atMost(WAIT).untilAsserted(() -> assertThat(succeeded(tasks)).isEqualTo(tasks.size()));
    }

    private void awaitHealth(Status status) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> health.health().getStatus(), status::equals);
    }

    private static List<TaskHandle> send(int count) {
        List<TaskHandle> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(direct.send("demo.sleep", List.of(0.2)));
        }
        return sent;
    }

    private static long succeeded(List<TaskHandle> tasks) {
        return tasks.stream().filter(task -> results.get(task.id()).state() == TaskState.SUCCESS).count();
    }
}
