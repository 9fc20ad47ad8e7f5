package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskState;
import dev.bullpen.revoke.RedisRevocations;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.test.BrokerManagement;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Celery's remote control against a Bullpen worker, from a real Python Celery 5 (Debian's
 * python3-celery): {@code inspect ping/registered/active_queues/stats/active} through
 * {@code app.control.inspect} and the {@code celery inspect} command line, {@code AsyncResult.revoke()}
 * of a task waiting for its countdown, {@code revoke(terminate=True)} of a running one, and the
 * remote control coming back after its connection is cut; and Celery's {@code EventReceiver} and
 * {@code events.State}, which Flower is built on, keep the worker alive from its heartbeats. The
 * worker has a node name of its own, and every command names it, since other tests' workers listen
 * on {@code celery.pidbox} too.
 */
@NeedsPython
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CeleryRemoteControlInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("control");
    static final String NODE = services.namespace() + "@bullpen-test";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Set<String> taskIds = ConcurrentHashMap.newKeySet();
    static Path script;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.worker.name", () -> NODE);
        registry.add("bullpen.worker.concurrency", () -> "2");
        // Celery 5.2 has no global_keyprefix: plain keys, deleted after the class.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @Autowired
    ResultBackend results;

    @Autowired
    Revocations revocations;

    @BeforeAll
    static void copyScript() throws Exception {
        script = PythonCelery.script("celery_remote_control.py");
    }

    @BeforeEach
    void remoteControlListens() {
        await().atMost(WAIT).until(() -> pidboxConsumers() == 1);
    }

    @Test
    void pythonInspectSeesTheBullpenWorker() throws Exception {
        JsonNode out = python("inspect", services.amqpUri().toString(), NODE);

        assertThat(out.path("ping").toString()).isEqualTo("{\"" + NODE + "\":{\"ok\":\"pong\"}}");
        assertThat(names(out.path("registered").path(NODE))).contains("demo.add", "demo.sleep", "demo.echo");
        JsonNode queues = out.path("active_queues").path(NODE);
        assertThat(queues.size()).as("its queue and its direct queue: %s", queues).isEqualTo(2);
        assertThat(queues.get(0).path("name").asString()).isEqualTo(QUEUE);
        assertThat(queues.get(0).path("exchange").path("type").asString()).isEqualTo("direct");
        assertThat(queues.get(1).path("name").asString()).isEqualTo(NODE + ".dq2");
        assertThat(queues.get(1).path("exchange").path("name").asString()).isEqualTo("C.dq2");
        assertThat(queues.get(1).path("routing_key").asString()).isEqualTo(NODE);
        JsonNode stats = out.path("stats").path(NODE);
        assertThat(stats.path("pool").path("max-concurrency").asInt()).isEqualTo(2);
        assertThat(stats.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(stats.path("prefetch_count").asInt()).isEqualTo(4);
        assertThat(out.path("active").path(NODE).isArray()).as("active: %s", out.path("active")).isTrue();
        assertThat(out.path("nobody").isNull()).as("a node of another name does not answer for it: %s", out.path("nobody"))
                .isTrue();
    }

    @Test
    void theCeleryCommandLineInspectsABullpenWorker() throws Exception {
        String broker = services.amqpUri().toString();

        String ping = PythonCelery.run("-m", "celery", "-b", broker, "inspect", "ping", "-d", NODE, "-t", "5", "-j");
        String registered = PythonCelery.run("-m", "celery", "-b", broker, "inspect", "registered", "-d", NODE, "-t", "5", "-j");

        assertThat(CeleryJson.mapper().readTree(PythonCelery.lastLine(ping)).path(NODE).path("ok").asString()).isEqualTo("pong");
        assertThat(names(CeleryJson.mapper().readTree(PythonCelery.lastLine(registered)).path(NODE))).contains("demo.add");
    }

    @Test
    void celerysEventReceiverSeesTheBullpenWorkerAlive() throws Exception {
        JsonNode out = python("events", services.amqpUri().toString(), NODE);

        assertThat(names(out.path("types"))).as("events of %s: %s", NODE, out).contains("worker-heartbeat");
        assertThat(out.path("alive").asBoolean()).as("events.State, as Flower keeps it: %s", out).isTrue();
        assertThat(out.path("freq").asDouble()).isEqualTo(2.0);
        assertThat(out.path("sw_ident").asString()).isEqualTo("bullpen");
    }

    @Test
    void asyncResultRevokeFromPythonStopsATaskWaitingForItsCountdown() throws Exception {
        JsonNode out = python("revoke-waiting", services.amqpUri().toString(), redisUrl(), QUEUE);
        String id = out.path("id").asString();
        taskIds.add(id);

        assertThat(out.path("state").asString()).as("seen from Python: %s", out).isEqualTo("REVOKED");
        assertThat(out.path("result").asString()).isEqualTo("TaskRevokedError('revoked')");
        assertThat(results.get(id).state()).isEqualTo(TaskState.REVOKED);
        assertThat(revocations.isRevoked(id)).as("kept in Bullpen's durable revocations").isTrue();
    }

    @Test
    void revokeWithTerminateFromPythonInterruptsARunningTask() throws Exception {
        JsonNode out = python("terminate-running", services.amqpUri().toString(), redisUrl(), QUEUE, NODE);
        String id = out.path("id").asString();
        taskIds.add(id);

        assertThat(out.path("seen_active").asBoolean()).as("inspect active listed the running task: %s", out).isTrue();
        assertThat(out.path("reply").toString()).isEqualTo("[{\"" + NODE + "\":{\"ok\":\"terminate: " + id + "\"}}]");
        // The script waits at most 15 s of the 30 s the task sleeps: only an interrupted one is REVOKED by then.
        assertThat(out.path("state").asString()).as("seen from Python: %s", out).isEqualTo("REVOKED");
        assertThat(out.path("result").asString()).isEqualTo("TaskRevokedError('terminated')");
    }

    @Test
    void remoteControlAnswersAgainAfterItsConnectionIsCut() throws Exception {
        closeConnection(NODE + " remote control");

        // Gone with its only consumer; then automatic recovery reconnects, declares it again and resubscribes.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> pidboxConsumers() == 0);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> pidboxConsumers() == 1);
        JsonNode out = python("inspect", services.amqpUri().toString(), NODE);
        assertThat(out.path("ping").path(NODE).path("ok").asString()).isEqualTo("pong");
    }

    @AfterAll
    static void deleteKeys() {
        try (var redis = services.redisConnectionFactory().getConnection()) {
            for (String id : taskIds) {
                redis.keyCommands().del(("celery-task-meta-" + id).getBytes(StandardCharsets.UTF_8),
                        (RedisRevocations.KEY_PREFIX + id).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static JsonNode python(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = script.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return CeleryJson.mapper().readTree(PythonCelery.lastLine(PythonCelery.run(command)));
    }

    private static List<String> names(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }

    private static String redisUrl() {
        return PythonCelery.redisUrl(services);
    }

    /** Consumers of this node's remote-control queue; 0 while it does not exist. */
    private static int pidboxConsumers() {
        try (Connection c = services.amqpConnectionFactory().newConnection("bullpen-test-probe");
             Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(NODE + ".celery.pidbox").getConsumerCount();
        } catch (Exception ex) {
            return 0;
        }
    }

    /** Closes the named client connection from the broker's side (management API), as a broker restart would. */
    private static void closeConnection(String name) throws Exception {
        BrokerManagement management = new BrokerManagement(services);
        String connection = await().atMost(WAIT).until(() -> management.connectionsNamed(name).stream().findFirst()
                .orElse(null), found -> found != null);
        assertThat(management.closeConnection(connection)).as("closed %s", connection).isEqualTo(204);
    }
}
