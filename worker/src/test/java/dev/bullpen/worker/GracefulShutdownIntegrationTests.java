package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ServiceProcess;
import dev.bullpen.test.TcpProxy;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.test.InProcessWorker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real worker process gets a real SIGTERM while it runs tasks. It finishes what runs within
 * {@code bullpen.worker.shutdown-timeout}, hands the prefetched rest back unstarted, and exits; a
 * second worker (in the test's JVM) finishes the rest, and every task succeeds exactly once. What runs past the
 * timeout is given up without storing anything and its message goes back too. A worker that has
 * lost the broker still stops in time, and the broker has every message back.
 */
class GracefulShutdownIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final Duration START = Duration.ofMinutes(2); // a loaded CI machine starts a JVM slowly
    static final Duration MARGIN = Duration.ofSeconds(15);

    static RedisResultBackend results;
    static TaskClient client;
    static Connection amqp;

    @BeforeAll
    static void connect() throws Exception {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofMinutes(10));
        client = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(new TaskClientSettings("unused", Duration.ofSeconds(10), 1, true)).build();
        amqp = services.amqpConnectionFactory().newConnection("graceful-shutdown-tests");
    }

    @AfterAll
    static void disconnect() throws Exception {
        client.close();
        results.close();
        amqp.close();
    }

    @Test
    void runningTasksFinishAndThePrefetchedRestGoBackToTheQueueForAnotherWorker() throws Exception {
        String queue = services.queue("drain");
        Duration shutdownTimeout = Duration.ofSeconds(20);
        // The tasks run 3 s, so a 1 s lifecycle phase timeout would cut them short if it applied to the worker.
        ServiceProcess first = ServiceProcess.jar("worker").quickStart().properties(worker(queue, "first", 4, shutdownTimeout,
                Map.of("spring.lifecycle.timeout-per-shutdown-phase", "1s"))).start().awaitUp(START);
        List<TaskHandle> tasks = send(queue, 40, 3);

        Set<String> running = awaitStarted(tasks, 4);
        first.terminate();

        assertThat(first.awaitExit(shutdownTimeout.plus(MARGIN))).as("exits within the shutdown timeout").isTrue();
        for (TaskHandle task : tasks) {
            TaskResult result = results.get(task.id());
            if (running.contains(task.id())) {
                assertThat(result.state()).as("%s ran when the SIGTERM came\n%s", task.id(), first.tail())
                        .isEqualTo(TaskState.SUCCESS);
                assertThat(result.meta().worker()).isEqualTo(nodeName(queue, "first"));
            } else {
                assertThat(result.state()).as("%s had not started: it never did\n%s", task.id(), first.tail())
                        .isEqualTo(TaskState.PENDING);
            }
        }
        assertThat(ready(queue)).as("the 36 not started are back on the queue").isEqualTo(36);

        try (ConfigurableApplicationContext second = inProcess(worker(queue, "second", 36, shutdownTimeout, Map.of()))) {
            for (TaskHandle task : tasks) {
                assertThat(task.get(Duration.ofSeconds(30), Double.class)).isEqualTo(3.0);
            }
            // The counter is bumped just after the result is stored, so the last get() can beat it.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(succeeded(second, queue))
                    .as("the second worker ran exactly the 36 the first handed back").isEqualTo(36));
        }
        assertThat(tasks).allSatisfy(task -> assertThat(results.get(task.id()).state()).isEqualTo(TaskState.SUCCESS));
        assertThat(ready(queue)).isZero();
    }

    @Test
    void tasksStillRunningAtTheShutdownTimeoutAreGivenUpAndRunAgainElsewhere() throws Exception {
        String queue = services.queue("cut");
        Duration shutdownTimeout = Duration.ofSeconds(1);
        ServiceProcess first = ServiceProcess.jar("worker").quickStart().properties(worker(queue, "first", 4, shutdownTimeout, Map.of())).start().awaitUp(START);
        List<TaskHandle> tasks = send(queue, 8, 4);

        Set<String> running = awaitStarted(tasks, 4);
        first.terminate();

        assertThat(first.awaitExit(shutdownTimeout.plus(MARGIN))).as("exits soon after the shutdown timeout").isTrue();
        assertThat(first.tail()).contains("4 task(s) running may finish within PT1S; 4 not started go back")
                .contains("4 task(s) still in flight after PT1S: given up (4 running interrupted)");
        for (TaskHandle task : tasks) {
            // Interrupted at the timeout, a run stores nothing: no FAILURE, no SUCCESS the message was not acked for.
            assertThat(results.get(task.id()).state()).as("%s\n%s", task.id(), first.tail())
                    .isEqualTo(running.contains(task.id()) ? TaskState.STARTED : TaskState.PENDING);
        }
        assertThat(ready(queue)).as("all 8 messages are back on the queue, the 4 cut-off ones too").isEqualTo(8);

        try (ConfigurableApplicationContext second = inProcess(worker(queue, "second", 8, Duration.ofSeconds(20), Map.of()))) {
            for (TaskHandle task : tasks) {
                assertThat(task.get(Duration.ofSeconds(30), Double.class)).isEqualTo(4.0);
                assertThat(results.get(task.id()).meta().worker()).isEqualTo(nodeName(queue, "second"));
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(succeeded(second, queue)).isEqualTo(8));
        }
    }

    @Test
    void aWorkerThatLostTheBrokerStillStopsInTimeAndLosesNothing() throws Exception {
        String queue = services.queue("lost");
        Duration shutdownTimeout = Duration.ofSeconds(10);
        try (TcpProxy broker = new TcpProxy(services.amqpUri().getHost(), services.amqpUri().getPort() < 0 ? 5672
                : services.amqpUri().getPort()).start()) {
            Map<String, String> properties = worker(queue, "first", 2, shutdownTimeout,
                    Map.of("spring.rabbitmq.host", "127.0.0.1", "spring.rabbitmq.port", Integer.toString(broker.port())));
            ServiceProcess first = ServiceProcess.jar("worker").quickStart().properties(properties).start().awaitUp(START);
            List<TaskHandle> tasks = send(queue, 4, 2);
            Set<String> running = awaitStarted(tasks, 2);

            broker.stop();
            first.terminate();

            assertThat(first.awaitExit(shutdownTimeout.plus(MARGIN))).as("exits, not stuck reconnecting").isTrue();
            for (TaskHandle task : tasks) {
                // The running ones still finished and stored; none could be acknowledged.
                assertThat(results.get(task.id()).state()).as("%s\n%s", task.id(), first.tail())
                        .isEqualTo(running.contains(task.id()) ? TaskState.SUCCESS : TaskState.PENDING);
            }
            assertThat(ready(queue)).as("every message is back on the queue").isEqualTo(4);
        }
    }

    private static Map<String, String> worker(String queue, String name, int concurrency, Duration shutdownTimeout,
            Map<String, String> extra) {
        Map<String, String> properties = new LinkedHashMap<>(services.springProperties());
        properties.put("bullpen.worker.queues", queue);
        properties.put("bullpen.worker.name", nodeName(queue, name));
        properties.put("bullpen.worker.concurrency", Integer.toString(concurrency));
        properties.put("bullpen.worker.shutdown-timeout", shutdownTimeout.toMillis() + "ms");
        properties.put("bullpen.worker.track-started", "true");
        properties.putAll(extra);
        return properties;
    }

    /**
     * The second worker, in this JVM: it only has to finish what the first handed back, and starts
     * in a fraction of a process's time.
     */
    private static ConfigurableApplicationContext inProcess(Map<String, String> properties) {
        ConfigurableApplicationContext context = InProcessWorker.on(services).withApplicationDefaults().properties(properties)
                .run();
        Worker worker = context.getBean(Worker.class);
        await().atMost(START).until(worker::isConsuming);
        return context;
    }

    private static double succeeded(ConfigurableApplicationContext worker, String queue) {
        Counter counter = worker.getBean(MeterRegistry.class).find(MeterNames.TASKS_SUCCEEDED)
                .tag(MeterNames.TAG_QUEUE, queue).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String nodeName(String queue, String name) {
        return name + "@" + queue;
    }

    private static List<TaskHandle> send(String queue, int count, double seconds) {
        List<TaskHandle> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(client.send("demo.sleep", List.of(seconds), Map.of(),
                    TaskOptions.defaults().queue(queue)));
        }
        return tasks;
    }

    /** Waits until exactly {@code count} tasks have started (the concurrency: no more can start for now). */
    private static Set<String> awaitStarted(List<TaskHandle> tasks, int count) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(
                () -> tasks.stream().map(TaskHandle::id).filter(id -> results.get(id).state() == TaskState.STARTED)
                        .collect(Collectors.toSet()),
                started -> started.size() == count);
    }

    private static long ready(String queue) throws Exception {
        try (Channel channel = amqp.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }
}
