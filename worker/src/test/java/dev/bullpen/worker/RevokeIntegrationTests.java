package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskState;
import dev.bullpen.revoke.InMemoryRevocations;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.test.InProcessWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Revoke on the real broker and Redis: a revoked task never runs, whether the worker meets it
 * later, after its ETA, or only once a worker is started after the revoke; a terminating revoke
 * interrupts a running task, stores REVOKED and frees its slot. Celery's remote-control revoke that
 * {@link dev.bullpen.client.TaskControl#revoke} also broadcasts (for Python workers) does the same on its own, through
 * the worker's pidbox. The worker runs one task at a time.
 */
@SpringBootTest(classes = {WorkerApplication.class, RevokeIntegrationTests.Config.class}, properties = "server.port=0")
class RevokeIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("revoke");
    static final String LATE_QUEUE = services.queue("revoke-late");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String NODE = services.namespace() + "@revoke-test";

    /** Ids of the tasks whose body ran, so a test can say a revoked one never did. */
    static final Set<String> ran = ConcurrentHashMap.newKeySet();
    static final Set<String> started = ConcurrentHashMap.newKeySet();
    static final CountDownLatch release = new CountDownLatch(1);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.worker.concurrency", () -> "1");
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.name", () -> NODE);
    }

    @AfterAll
    static void releaseBlockedTasks() {
        release.countDown();
    }

    @Autowired
    TaskClient client;

    @Autowired
    ResultBackend results;

    @Autowired
    Worker worker;

    @Autowired
    Revocations revocations;

    @Test
    void aTaskRevokedBeforeItStartsNeverRuns() throws Exception {
        await().atMost(WAIT).until(worker::isConsuming);
        // The only slot is busy, so the next task waits on the worker (prefetched) or the queue.
        CountDownLatch hold = new CountDownLatch(1);
        holds.put("hold-1", hold);
        TaskHandle blocker = client.send("test.hold", List.of("hold-1"));
        await().atMost(WAIT).until(() -> started.contains(blocker.id()));
        TaskHandle victim = client.send("test.record", List.of());

        client.control().revoke(victim.id());
        hold.countDown();

        assertRevoked(victim, "revoked");
        assertThat(blocker.get(WAIT, String.class)).isEqualTo("held");
        assertThat(ran).contains(blocker.id()).doesNotContain(victim.id());
    }

    @Test
    void aRevokedTaskWaitingForItsEtaIsRevokedWhenItComesBack() {
        TaskHandle later = client.send("test.record", List.of(), Map.of(),
                TaskOptions.defaults().countdown(Duration.ofSeconds(2)));

        client.control().revoke(later.id());

        assertRevoked(later, "revoked");
        assertThat(ran).doesNotContain(later.id());
    }

    @Test
    void aTaskRevokedWhileItsRetryWaitsIsNotRunAgain() {
        TaskHandle retrying = client.send("test.retry-once", List.of());
        await().atMost(WAIT).until(() -> results.get(retrying.id()).state() == TaskState.RETRY);

        client.control().revoke(retrying.id());

        assertRevoked(retrying, "revoked");
        assertThat(ran).doesNotContain(retrying.id());
    }

    @Test
    void aRevocationMadeWhileNoWorkerRunsIsHonouredByAWorkerStartedLater() {
        // Nobody consumes LATE_QUEUE yet: the task waits there while it is revoked.
        TaskHandle waiting = client.send("test.record", List.of(), Map.of(), TaskOptions.defaults().queue(LATE_QUEUE));
        TaskHandle control = client.send("test.record", List.of(), Map.of(), TaskOptions.defaults().queue(LATE_QUEUE));
        client.control().revoke(waiting.id());

        try (ConfigurableApplicationContext fresh = startWorker(LATE_QUEUE)) {
            assertThat(control.get(WAIT, String.class)).as("the fresh worker runs what is not revoked").isEqualTo("ran");
            assertRevoked(waiting, "revoked");
        }
        assertThat(ran).contains(control.id()).doesNotContain(waiting.id());
    }

    @Test
    void terminateInterruptsARunningTaskStoresRevokedAndFreesItsSlot() {
        TaskHandle sleeper = client.send("test.sleep", List.of(120));
        await().atMost(WAIT).until(() -> started.contains(sleeper.id()));

        client.control().revoke(sleeper.id(), true);

        // Well within the 120 s it would sleep: it was interrupted, not waited for.
        assertRevoked(sleeper, "terminated");
        assertThat(client.send("demo.add", List.of(2, 3)).get(WAIT, Integer.class))
                .as("the only slot is free again").isEqualTo(5);
        assertThat(ran).doesNotContain(sleeper.id());
    }

    @Test
    void revokingAFinishedTaskChangesNothing() {
        TaskHandle done = client.send("test.record", List.of());
        assertThat(done.get(WAIT, String.class)).isEqualTo("ran");

        client.control().revoke(done.id(), true);

        assertThat(results.get(done.id()).state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void celerysBroadcastRevokeAloneStopsATaskWaitingForItsEta() {
        TaskHandle later = client.send("test.record", List.of(), Map.of(),
                TaskOptions.defaults().countdown(Duration.ofSeconds(3)));

        try (TaskClient broadcastOnly = broadcastOnlyClient()) {
            await().atMost(WAIT).until(() -> pidboxConsumers() == 1);
            broadcastOnly.control().revoke(later.id());
        }

        assertRevoked(later, "revoked");
        assertThat(ran).doesNotContain(later.id());
        assertThat(revocations.isRevoked(later.id())).as("the worker stored what it heard durably").isTrue();
    }

    @Test
    void celerysBroadcastRevokeWithTerminateAloneInterruptsARunningTask() {
        TaskHandle sleeper = client.send("test.sleep", List.of(120));
        await().atMost(WAIT).until(() -> started.contains(sleeper.id()));

        try (TaskClient broadcastOnly = broadcastOnlyClient()) {
            await().atMost(WAIT).until(() -> pidboxConsumers() == 1);
            broadcastOnly.control().revoke(sleeper.id(), true);
        }

        assertRevoked(sleeper, "terminated");
        assertThat(ran).doesNotContain(sleeper.id());
    }

    /** A client whose own revocations no worker reads: only its celery.pidbox broadcast reaches them. */
    private TaskClient broadcastOnlyClient() {
        return TaskClient.builder(services.amqpConnectionFactory(), results)
                .revocations(new InMemoryRevocations(Duration.ofHours(1)))
                .settings(new TaskClientSettings(QUEUE, Duration.ofSeconds(10), 1, true)).build();
    }

    /** Consumers of this worker's remote-control queue; 0 while it does not exist. */
    private static int pidboxConsumers() {
        try (Connection c = services.amqpConnectionFactory().newConnection("bullpen-test-probe");
             Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(NODE + ".celery.pidbox").getConsumerCount();
        } catch (Exception ex) {
            return 0;
        }
    }

    private void assertRevoked(TaskHandle handle, String reason) {
        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.state()).isEqualTo(TaskState.REVOKED);
            assertThat(ex.remoteType()).isEqualTo("TaskRevokedError");
            assertThat(ex.error().module()).isEqualTo("celery.exceptions");
            assertThat(ex.remoteMessage()).isEqualTo(reason);
        });
    }

    private static ConfigurableApplicationContext startWorker(String queue) {
        return InProcessWorker.on(services).queues(queue).with(Config.class).run();
    }

    static final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();

    @TestConfiguration
    static class Config {

        @Bean
        RecordingTasks recordingTasks() {
            return new RecordingTasks();
        }
    }

    static class RecordingTasks {

        @Task("test.record")
        String record(TaskContext context) {
            ran.add(context.id());
            return "ran";
        }

        @Task("test.retry-once")
        String retryOnce(TaskContext context) {
            if (context.retries() == 0) {
                throw context.retry(Duration.ofSeconds(2));
            }
            ran.add(context.id());
            return "ran on retry";
        }

        @Task("test.hold")
        String hold(String latch, TaskContext context) throws InterruptedException {
            started.add(context.id());
            ran.add(context.id());
            holds.get(latch).await();
            return "held";
        }

        @Task("test.sleep")
        double sleep(double seconds, TaskContext context) throws InterruptedException {
            started.add(context.id());
            Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
            ran.add(context.id()); // only once it slept in full
            return seconds;
        }
    }
}
