package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.BroadcastHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.client.UnknownWorkerException;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.test.ServiceProcess;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.test.InProcessWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * IPyParallel's direct and load-balanced views on Celery's {@code worker_direct}: three workers share
 * a queue (load-balanced) and each also consumes {@code <name>.dq2} (direct). A task for one worker
 * runs there only; a broadcast runs once on each live worker, and a killed worker is left out of the
 * next; an unknown name is an error; a second worker with a taken name does not share its queue; a
 * task for a worker that is down waits for it; Python Celery reaches a Bullpen worker's direct queue
 * and {@code celery inspect active_queues} lists it. Every ping and broadcast is limited to this
 * class's workers ({@link BullpenServices#workerPattern()}): other tests' workers share the broker.
 */
class DirectAndBroadcastIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String SHARED = services.queue("shared");
    static final String A = services.workerName("a");
    static final String B = services.workerName("b");
    static final String C = services.workerName("c");
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Longer than Celery's 1 s: two cores shared by many test JVMs can be slow to answer. */
    static final Duration PING = Duration.ofSeconds(3);

    static RedisResultBackend results;
    static TaskClient client;
    static final List<ConfigurableApplicationContext> workers = new ArrayList<>();

    @BeforeAll
    static void start() {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofHours(1));
        client = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(new TaskClientSettings(SHARED, Duration.ofSeconds(10), 1, true)).build();
        for (String name : List.of(A, B, C)) {
            workers.add(startWorker(name));
        }
        for (String name : List.of(A, B, C)) {
            await().atMost(WAIT).until(() -> consumers(name + ".dq2") == 1);
        }
    }

    @AfterAll
    static void stop() {
        workers.forEach(ConfigurableApplicationContext::close);
        client.close();
        results.close();
    }

    @Test
    void aTaskForOneWorkerRunsOnThatWorkerOnly() {
        List<TaskHandle> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sent.add(client.send("demo.whoami", List.of(), Map.of(), TaskOptions.defaults().worker(B)));
        }

        assertThat(sent).allSatisfy(handle -> {
            assertThat(handle.get(WAIT, String.class)).isEqualTo(B);
            assertThat(handle.result().meta().worker()).isEqualTo(B);
            assertThat(handle.result().meta().queue()).isEqualTo(B + ".dq2");
        });
    }

    @Test
    void theSharedQueueStillBalancesOverAllWorkers() {
        List<TaskHandle> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add(client.send("demo.whoami", List.of()));
        }

        assertThat(sent).allSatisfy(handle -> assertThat(handle.get(WAIT, String.class)).isIn(A, B, C));
        assertThat(sent).allSatisfy(handle -> assertThat(handle.result().meta().queue()).isEqualTo(SHARED));
    }

    @Test
    void aBroadcastRunsOnceOnEveryLiveWorkerWithOneResultEach() {
        List<String> live = client.control().liveWorkers(PING, services.workerPattern());
        assertThat(live).containsExactly(A, B, C);

        BroadcastHandle broadcast = client.control().broadcast("demo.whoami", List.of(), Map.of(), TaskOptions.defaults(), live);
        SortedMap<String, TaskResult> byWorker = broadcast.await(WAIT);

        assertThat(broadcast.failures()).isEmpty();
        assertThat(byWorker).containsOnlyKeys(A, B, C);
        byWorker.forEach((worker, result) -> {
            assertThat(result.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(result.result().asString()).as("ran on the worker it was sent to").isEqualTo(worker);
            assertThat(result.meta().worker()).isEqualTo(worker);
        });
        assertThat(broadcast.handles().values()).extracting(TaskHandle::id).doesNotHaveDuplicates();
        // Found again by id, as the HTTP API reads it: the ids are saved as a Celery group.
        assertThat(client.control().broadcast(broadcast.id()).orElseThrow().results()).isEqualTo(byWorker);
        for (String worker : List.of(A, B, C)) {
            assertThat(depth(worker + ".dq2")).as("nothing left for %s", worker).isZero();
        }
    }

    @Test
    void aKilledWorkerIsLeftOutOfTheNextBroadcast() throws Exception {
        String killed = services.workerName("killed");
        try (ServiceProcess process = ServiceProcess.jar("worker").quickStart().properties(Map.of(
                "spring.rabbitmq.host", services.springProperties().get("spring.rabbitmq.host"),
                "spring.rabbitmq.port", services.springProperties().get("spring.rabbitmq.port"),
                "spring.data.redis.host", services.springProperties().get("spring.data.redis.host"),
                "spring.data.redis.port", services.springProperties().get("spring.data.redis.port"),
                "bullpen.result.key-prefix", services.redisPrefix(),
                "bullpen.worker.queues", SHARED,
                "bullpen.worker.name", killed,
                "bullpen.worker.concurrency", "2")).start()) {
            process.awaitUp(Duration.ofSeconds(90));
            await().atMost(WAIT).untilAsserted(() -> assertThat(client.control().liveWorkers(PING, services.workerPattern()))
                    .containsExactly(A, B, C, killed));

            process.kill();
            assertThat(process.awaitExit(WAIT)).isTrue();
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(client.control().liveWorkers(PING, services.workerPattern()))
                .containsExactly(A, B, C));
        BroadcastHandle broadcast = client.control().broadcast("demo.whoami", List.of(), Map.of(), TaskOptions.defaults(),
                client.control().liveWorkers(PING, services.workerPattern()));
        assertThat(broadcast.handles()).containsOnlyKeys(A, B, C);
        assertThat(broadcast.await(WAIT).values()).allSatisfy(r -> assertThat(r.state()).isEqualTo(TaskState.SUCCESS));
    }

    @Test
    void aTaskForAWorkerThatIsDownWaitsInItsQueueUntilItIsBack() {
        String away = services.workerName("away");
        startWorker(away).close(); // its queue stays: durable, as Celery's dq2

        TaskHandle waiting = client.send("demo.whoami", List.of(), Map.of(), TaskOptions.defaults().worker(away));
        assertThat(depth(away + ".dq2")).isEqualTo(1);
        assertThat(waiting.state()).isEqualTo(TaskState.PENDING);

        try (ConfigurableApplicationContext back = startWorker(away)) {
            assertThat(waiting.get(WAIT, String.class)).isEqualTo(away);
        }
    }

    @Test
    void anUnknownWorkerNameIsAnErrorNotASilentDrop() {
        String nobody = "nobody@" + services.namespace();

        assertThatThrownBy(() -> client.send("demo.whoami", List.of(), Map.of(), TaskOptions.defaults().worker(nobody)))
                .isInstanceOf(UnknownWorkerException.class).hasMessageContaining(nobody)
                .satisfies(ex -> assertThat(((UnknownWorkerException) ex).worker()).isEqualTo(nobody));
        assertThatThrownBy(() -> client.sendAsync("demo.whoami", List.of(), Map.of(), TaskOptions.defaults().worker(nobody)).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UnknownWorkerException.class);
        // And the client goes on publishing: the return closed nothing.
        assertThat(client.send("demo.whoami", List.of(), Map.of(), TaskOptions.defaults().worker(A)).get(WAIT, String.class))
                .isEqualTo(A);
    }

    @Test
    void aSecondWorkerWithATakenNameDoesNotShareItsQueueAndTakesOverWhenTheFirstIsGone() {
        String dup = services.workerName("dup");
        ConfigurableApplicationContext first = startWorker(dup);
        try (ConfigurableApplicationContext second = startWorker(dup)) {
            Worker firstWorker = first.getBean(Worker.class);
            Worker secondWorker = second.getBean(Worker.class);
            await().atMost(WAIT).until(() -> firstWorker.directQueue() != null || secondWorker.directQueue() != null);
            Worker holder = firstWorker.directQueue() != null ? firstWorker : secondWorker;
            Worker other = holder == firstWorker ? secondWorker : firstWorker;
            await().atMost(WAIT).untilAsserted(() -> assertThat(other.problem())
                    .contains("another live worker is named " + dup));
            assertThat(other.directQueue()).isNull();
            assertThat(other.isConsuming()).as("it still serves the shared queue").isTrue();
            assertThat(consumers(dup + ".dq2")).isEqualTo(1);

            (holder == firstWorker ? first : second).close();
            await().atMost(WAIT).until(() -> other.directQueue() != null);
            assertThat(other.problem()).isNull();
            assertThat(client.send("demo.whoami", List.of(), Map.of(), TaskOptions.defaults().worker(dup)).get(WAIT, String.class))
                    .isEqualTo(dup);
        } finally {
            first.close();
        }
    }

    @Test
    @NeedsPython
    void pythonCeleryReachesABullpenWorkerThroughItsDirectQueue() throws Exception {
        Path script = script();
        String broker = services.amqpUri().toString();

        JsonNode sent = CeleryJson.mapper().readTree(PythonCelery.lastLine(PythonCelery.run(
                script.toString(), "send", broker, C)));
        JsonNode declared = CeleryJson.mapper().readTree(PythonCelery.lastLine(PythonCelery.run(
                script.toString(), "declare", broker, C)));

        for (String field : List.of("by_exchange", "by_queue")) {
            TaskHandle handle = client.handle(sent.path(field).asString());
            assertThat(handle.get(WAIT, String.class)).as(field).isEqualTo(C);
        }
        assertThat(declared.path("declared").asString()).as("kombu declares worker_direct(%s) as Bullpen did", C)
                .isEqualTo(C + ".dq2");
    }

    @Test
    @NeedsPython
    void celeryInspectActiveQueuesListsTheDirectQueue() throws Exception {
        String out = PythonCelery.run("-m", "celery", "-b", services.amqpUri().toString(),
                "inspect", "active_queues", "-d", A, "-t", "5", "-j");

        JsonNode queues = CeleryJson.mapper().readTree(PythonCelery.lastLine(out)).path(A);
        assertThat(queues.size()).as("active_queues: %s", out).isEqualTo(2);
        assertThat(queues.get(0).path("name").asString()).isEqualTo(SHARED);
        JsonNode direct = queues.get(1);
        assertThat(direct.path("name").asString()).isEqualTo(A + ".dq2");
        assertThat(direct.path("exchange").path("name").asString()).isEqualTo("C.dq2");
        assertThat(direct.path("exchange").path("type").asString()).isEqualTo("direct");
        assertThat(direct.path("exchange").path("durable").asBoolean()).isTrue();
        assertThat(direct.path("routing_key").asString()).isEqualTo(A);
        assertThat(direct.path("durable").asBoolean()).isTrue();
        assertThat(direct.path("auto_delete").asBoolean()).isFalse();
    }

    private static ConfigurableApplicationContext startWorker(String name) {
        return InProcessWorker.on(services).properties(Map.of("bullpen.worker.queues", SHARED, "bullpen.worker.name", name,
                "bullpen.worker.concurrency", "4")).run();
    }

    private static Path script() throws Exception {
        Path script = PythonCelery.script("celery_direct.py");
        return script;
    }

    /** Consumers of a queue; 0 while it does not exist. */
    private static int consumers(String queue) {
        try (Connection c = services.amqpConnectionFactory().newConnection("bullpen-test-probe");
             Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getConsumerCount();
        } catch (Exception ex) {
            return 0;
        }
    }

    private static long depth(String queue) {
        try (Connection c = services.amqpConnectionFactory().newConnection("bullpen-test-probe");
             Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception ex) {
            throw new IllegalStateException("cannot read " + queue, ex);
        }
    }
}
