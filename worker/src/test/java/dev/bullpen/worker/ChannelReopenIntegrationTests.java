package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.PrivateRabbitNode;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.Worker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The broker closes a consumer's channel, and keeps its connection, when a delivery stays
 * unacknowledged past {@code consumer_timeout} (a task that runs longer): the worker used to stay
 * DOWN, its queue unconsumed, for good. Against a RabbitMQ node of this class's own with a
 * three-second {@code consumer_timeout} (the shared broker's must not change): a new channel consumes
 * the queue, the timed-out task comes round again, and other tasks run. And the in-flight gauge never
 * reads more than the prefetch, here the concurrency (an ack on its way used to let it read one over).
 */
@SpringBootTest(classes = {WorkerApplication.class, ChannelReopenIntegrationTests.Config.class},
        properties = "server.port=0")
class ChannelReopenIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("reopen");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final int CONCURRENCY = 4;
    static final PrivateRabbitNode broker = start();
    static final AtomicInteger slowRuns = new AtomicInteger();

    static PrivateRabbitNode start() {
        try {
            return PrivateRabbitNode.start("{consumer_timeout, 3000}", "{channel_tick_interval, 500}");
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        broker.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.name", () -> services.workerName("reopen"));
        registry.add("bullpen.worker.concurrency", () -> Integer.toString(CONCURRENCY));
        registry.add("bullpen.worker.prefetch", () -> Integer.toString(CONCURRENCY));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Autowired
    TaskClient client;

    @Autowired
    Worker worker;

    @Autowired
    MeterRegistry meters;

    @Test
    void aChannelTheBrokerClosesForAnAckTimeoutIsReopenedAndTheQueueConsumedAgain() {
        TaskHandle slow = client.send("reopen.slow-once", List.of(6.0));

        await().atMost(WAIT).until(() -> !worker.isConsuming()); // the broker closed the channel at 3 s
        await().atMost(WAIT).until(worker::isConsuming);

        assertThat(client.send("demo.add", List.of(40, 2)).get(WAIT, Integer.class)).isEqualTo(42);
        assertThat(slow.get(WAIT, String.class)).isEqualTo("done");
        assertThat(slowRuns).as("the timed-out delivery came round again").hasValueGreaterThanOrEqualTo(2);
    }

    @Test
    void theInFlightGaugeNeverReadsOverThePrefetch() throws Exception {
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger highest = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (sampling.get()) {
                highest.accumulateAndGet((int) meters.get(MeterNames.TASKS_IN_FLIGHT).gauge().value(), Math::max);
            }
        });
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            handles.add(client.send("demo.add", List.of(i, 1)));
        }
        for (TaskHandle handle : handles) {
            handle.get(WAIT, Integer.class);
        }
        sampling.set(false);
        sampler.join();

        assertThat(highest.get()).isBetween(1, CONCURRENCY);
    }

    @TestConfiguration
    static class Config {

        @Bean
        SlowTasks slowTasks() {
            return new SlowTasks();
        }
    }

    static class SlowTasks {

        /** Longer than the broker's consumer_timeout the first time, at once after. */
        @Task("reopen.slow-once")
        String slowOnce(double seconds) throws InterruptedException {
            if (slowRuns.incrementAndGet() == 1) {
                Thread.sleep(Duration.ofMillis((long) (seconds * 1000)));
            }
            return "done";
        }
    }
}
