package dev.bullpen.worker.internal.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.result.InMemoryResultBackend;
import dev.bullpen.result.TaskState;
import dev.bullpen.revoke.InMemoryRevocations;
import dev.bullpen.worker.WorkerProperties;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskRegistry;
import dev.bullpen.worker.internal.run.TaskRunner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The replies a Bullpen worker gives Celery's remote-control commands, as Celery's own worker words them. */
class ControlCommandsTests {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final String NODE = "w1@test";

    static class Tasks {

        final CountDownLatch started = new CountDownLatch(1);

        long add(long x, long y) {
            return x + y;
        }

        String nap() throws InterruptedException {
            started.countDown();
            Thread.sleep(Duration.ofMinutes(2));
            return "slept";
        }
    }

    final Tasks tasks = new Tasks();
    final TaskRegistry registry = new TaskRegistry();
    final InMemoryResultBackend results = new InMemoryResultBackend();
    final InMemoryRevocations revocations = new InMemoryRevocations(Duration.ofMinutes(5));
    final WorkerProperties properties = new WorkerProperties(List.of("q1", "q2"), 3, null, false, NODE,
            Duration.ofSeconds(30), Duration.ofSeconds(2), Map.of(), Duration.ofSeconds(60), true,
            org.springframework.util.unit.DataSize.ofMegabytes(1));
    final TaskMeters meters;
    final TaskRunner runner;
    final LamportClock clock = new LamportClock();
    final ControlCommands commands;

    ControlCommandsTests() throws Exception {
        registry.register("t.add", tasks, Tasks.class.getDeclaredMethod("add", long.class, long.class));
        registry.register("t.nap", tasks, Tasks.class.getDeclaredMethod("nap"));
        meters = new TaskMeters(new SimpleMeterRegistry(), registry);
        runner = new TaskRunner(registry, results, NODE, false, meters);
        // As the worker does: a terminating revocation interrupts the run.
        revocations.watch(revocation -> {
            if (revocation.terminate()) {
                runner.terminate(revocation.taskId());
            }
        });
        ConnectionFactory broker = new ConnectionFactory();
        broker.setHost("rabbit.example");
        commands = new ControlCommands(properties, registry, runner, revocations, meters, clock, broker);
    }

    @AfterEach
    void close() {
        runner.close();
    }

    JsonNode handle(String method, String arguments) {
        return commands.handle(method, (ObjectNode) CeleryJson.mapper().readTree(arguments));
    }

    @Test
    void pingIsPong() {
        assertThat(handle("ping", "{}").toString()).isEqualTo("{\"ok\":\"pong\"}");
    }

    @Test
    void registeredListsTheTaskNamesSorted() {
        assertThat(handle("registered", "{\"taskinfoitems\": []}").toString()).isEqualTo("[\"t.add\",\"t.nap\"]");
        assertThat(handle("dump_tasks", "{}").toString()).isEqualTo("[\"t.add\",\"t.nap\"]");
    }

    @Test
    void activeQueuesDescribesEachQueueAsKombuDoes() {
        JsonNode queues = handle("active_queues", "{}");

        assertThat(queues.size()).isEqualTo(2);
        assertThat(queues.get(0).path("name").asString()).isEqualTo("q1");
        assertThat(queues.get(0).path("routing_key").asString()).isEqualTo("q1");
        assertThat(queues.get(0).path("durable").asBoolean()).isTrue();
        assertThat(queues.get(0).path("exchange").path("name").asString()).isEqualTo("q1");
        assertThat(queues.get(1).path("name").asString()).isEqualTo("q2");
    }

    @Test
    void activeQueuesListTheDirectQueueAsCeleryWorkerDirectWhileItIsConsumed() {
        ControlCommands direct = new ControlCommands(properties, registry, runner, null, meters, clock,
                new ConnectionFactory(), () -> NODE + ".dq2");

        JsonNode queues = direct.handle("active_queues", CeleryJson.mapper().createObjectNode());

        assertThat(queues.size()).isEqualTo(3);
        JsonNode own = queues.get(2);
        assertThat(own.path("name").asString()).isEqualTo(NODE + ".dq2");
        assertThat(own.path("routing_key").asString()).isEqualTo(NODE);
        assertThat(own.path("exchange").path("name").asString()).isEqualTo("C.dq2");
        assertThat(own.path("exchange").path("type").asString()).isEqualTo("direct");
        assertThat(own.path("exchange").path("durable").asBoolean()).isTrue();
        assertThat(own.path("durable").asBoolean()).isTrue();
        assertThat(own.path("auto_delete").asBoolean()).isFalse();
        assertThat(own.path("exclusive").asBoolean()).isFalse();
    }

    @Test
    void statsTellThePoolTheBrokerAndTheTotals() {
        runner.run(message("t.add", "a-1", 1, 2), "q1");
        runner.run(message("t.add", "a-2", 1, 2), "q1");

        JsonNode stats = handle("stats", "{}");

        assertThat(stats.path("total").toString()).isEqualTo("{\"t.add\":2}");
        assertThat(stats.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(stats.path("pool").path("max-concurrency").asInt()).isEqualTo(3);
        assertThat(stats.path("broker").path("hostname").asString()).isEqualTo("rabbit.example");
        assertThat(stats.path("broker").has("password")).isFalse();
        assertThat(stats.path("prefetch_count").asInt()).isEqualTo(6);
        assertThat(stats.path("clock").isString()).as("a string, as Celery sends it").isTrue();
    }

    @Test
    void revokeStoresTheRevocationAndRepliesAsCelery() {
        assertThat(handle("revoke", "{\"task_id\": \"abc\", \"terminate\": false, \"signal\": \"SIGTERM\"}").toString())
                .isEqualTo("{\"ok\":\"tasks abc flagged as revoked\"}");
        assertThat(handle("revoke", "{\"task_id\": [\"d1\", \"d2\"]}").toString())
                .isEqualTo("{\"ok\":\"tasks d1, d2 flagged as revoked\"}");

        assertThat(revocations.isRevoked("abc")).isTrue();
        assertThat(revocations.isRevoked("d1")).isTrue();
        assertThat(revocations.isRevoked("d2")).isTrue();
        assertThat(revocations.isRevoked("other")).isFalse();
    }

    @Test
    void terminateOfATaskThatDoesNotRunHereSaysSoAndStillRevokesIt() {
        assertThat(handle("revoke", "{\"task_id\": \"elsewhere\", \"terminate\": true}").toString())
                .isEqualTo("{\"ok\":\"terminate: tasks unknown\"}");
        assertThat(revocations.isRevoked("elsewhere")).isTrue();
    }

    @Test
    void terminateInterruptsARunningTaskListedByActive() throws Exception {
        CompletableFuture<?> run = CompletableFuture.runAsync(() -> runner.run(message("t.nap", "n-1"), "q2"));
        tasks.started.await();

        JsonNode active = handle("active", "{}");
        assertThat(active.size()).isEqualTo(1);
        assertThat(active.get(0).path("id").asString()).isEqualTo("n-1");
        assertThat(active.get(0).path("name").asString()).isEqualTo("t.nap");
        assertThat(active.get(0).path("hostname").asString()).isEqualTo(NODE);
        assertThat(active.get(0).path("delivery_info").path("routing_key").asString()).isEqualTo("q2");
        assertThat(active.get(0).path("time_start").isNumber()).isTrue();
        assertThat(handle("query_task", "{\"ids\": [\"n-1\", \"gone\"]}").path("n-1").get(0).asString()).isEqualTo("active");

        JsonNode reply = handle("terminate", "{\"signal\": \"SIGKILL\", \"task_id\": \"n-1\"}");

        assertThat(reply.toString()).isEqualTo("{\"ok\":\"terminate: n-1\"}");
        run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(results.get("n-1").state()).isEqualTo(TaskState.REVOKED);
        await().atMost(WAIT).until(() -> handle("active", "{}").isEmpty());
    }

    @Test
    void nothingIsScheduledInTheWorkerSinceEtaTasksWaitOnTheBroker() {
        assertThat(handle("scheduled", "{}").toString()).isEqualTo("[]");
    }

    @Test
    void withoutARevocationStoreARevokeIsAnError() {
        ControlCommands alone = new ControlCommands(properties, registry, runner, null, meters, clock, new ConnectionFactory());

        JsonNode reply = alone.handle("revoke", (ObjectNode) CeleryJson.mapper().readTree("{\"task_id\": \"x\"}"));

        assertThat(reply.path("error").asString()).contains("no revocation store");
    }

    @Test
    void aRevokeWithoutIdsIsAnError() {
        assertThat(handle("revoke", "{}").path("error").asString()).contains("no task_id");
    }

    @Test
    void anUnknownCommandIsAnErrorReplyNamingTheSupportedOnes() {
        JsonNode reply = handle("shutdown", "{}");

        assertThat(reply.path("error").asString()).contains("unknown control command 'shutdown'").contains("ping", "revoke");
    }

    @Test
    void helloAnswersOtherNodesWithTheClockAndItselfWithNothing() {
        clock.adjust(41);

        JsonNode other = handle("hello", "{\"from_node\": \"celery@elsewhere\", \"revoked\": {}}");

        assertThat(other.path("clock").asLong()).isEqualTo(43);
        assertThat(other.path("revoked").isObject()).isTrue();
        assertThat(handle("hello", "{\"from_node\": \"" + NODE + "\"}").isNull()).isTrue();
        assertThat(handle("clock", "{}").path("clock").asLong()).isEqualTo(43);
    }

    static TaskMessage message(String task, String id, Object... args) {
        return TaskMessageBuilder.of(task, id).args(CeleryJson.mapper().valueToTree(List.of(args))).build();
    }
}
