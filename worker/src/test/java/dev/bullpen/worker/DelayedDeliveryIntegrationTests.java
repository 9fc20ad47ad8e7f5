package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.Worker;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
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
 * Countdown, eta and expires on the real broker: a task never starts before its ETA, a long delay
 * waits in the broker rather than unacknowledged in the worker, an expired task is REVOKED.
 */
@SpringBootTest(classes = {WorkerApplication.class, DelayedDeliveryIntegrationTests.ClockTask.class},
        properties = "server.port=0")
class DelayedDeliveryIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("tasks");
    static Connection amqp;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @BeforeAll
    static void connect() throws Exception {
        amqp = services.amqpConnectionFactory().newConnection("delay-tests");
    }

    @AfterAll
    static void disconnect() throws Exception {
        amqp.close();
    }

    @Autowired
    TaskClient client;

    @Autowired
    Worker worker;

    @Test
    void aCountdownTaskNeverStartsBeforeItsEta() {
        Instant sent = Instant.now();
        var handle = client.send("test.clock", List.of(), Map.of(),
                TaskOptions.defaults().countdown(Duration.ofSeconds(3)));
        Instant eta = sent.plusSeconds(3);

        long startedAt = handle.get(Duration.ofSeconds(30), Long.class);

        long lateMillis = startedAt - eta.toEpochMilli();
        System.out.printf("countdown 3 s: started %d ms after its ETA%n", lateMillis);
        assertThat(lateMillis).as("started no earlier than the ETA").isGreaterThanOrEqualTo(0);
    }

    @Test
    void aCeleryStyleEtaHeaderWithoutOffsetIsReadAsUtcAndHonoured() throws Exception {
        String id = UUID.randomUUID().toString();
        LocalDateTime naiveEta = LocalDateTime.now(ZoneOffset.UTC).plusSeconds(2);
        await().atMost(Duration.ofSeconds(20)).until(worker::isConsuming); // the worker has declared the queue
        var codec = new TaskMessageCodec();
        var message = TaskMessageBuilder.of("test.clock", id).build();
        Map<String, Object> headers = new HashMap<>(codec.headers(message.headers()));
        headers.put("eta", naiveEta.toString());
        try (Channel ch = amqp.createChannel()) {
            ch.basicPublish("", QUEUE, codec.properties(message).builder().headers(headers).build(), codec.body(message));
        }

        long startedAt = client.handle(id).get(Duration.ofSeconds(30), Long.class);

        assertThat(startedAt).isGreaterThanOrEqualTo(naiveEta.toInstant(ZoneOffset.UTC).toEpochMilli());
    }

    @Test
    void aLongDelayWaitsInTheBrokerNotInTheWorker() throws Exception {
        var handle = client.send("test.clock", List.of(), Map.of(),
                TaskOptions.defaults().countdown(Duration.ofSeconds(70)));

        // 70 s parks in the 64 s level; the worker acknowledged it and holds nothing.
        await().atMost(Duration.ofSeconds(10)).until(() -> messageCount("bullpen.delay.6") >= 1 && worker.inFlight() == 0);
        assertThat(messageCount(QUEUE)).isZero();
        assertThat(handle.state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void anExpiredTaskIsRevokedAndNotRun() {
        var handle = client.send("test.clock", List.of(), Map.of(),
                TaskOptions.defaults().countdown(Duration.ofSeconds(2)).expiresIn(Duration.ofSeconds(1)));

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(30))).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.state()).isEqualTo(TaskState.REVOKED);
            assertThat(ex.remoteType()).isEqualTo("TaskRevokedError");
            assertThat(ex.remoteMessage()).isEqualTo("expired");
        });
    }

    private static long messageCount(String queue) throws Exception {
        try (Channel ch = amqp.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    @TestConfiguration
    static class ClockTask {

        @Bean
        Clock clock() {
            return new Clock();
        }
    }

    static class Clock {

        @Task("test.clock")
        long now() {
            return System.currentTimeMillis();
        }
    }
}
