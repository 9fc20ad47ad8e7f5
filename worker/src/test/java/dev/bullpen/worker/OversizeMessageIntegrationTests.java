package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.client.InboundGuard;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ServiceProcess;
import dev.bullpen.test.TestHttp;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 50 MB task message used to take the worker's heap in decoding (an {@code OutOfMemoryError} under
 * the compose file's 256 MB), stay unacknowledged, and take it again after every restart. Here the
 * runnable worker jar runs with the very JVM options the compose file gives it: a message over
 * {@code bullpen.worker.max-message-bytes} is dead-lettered with the reason, without its body ever
 * being held, and a burst of messages just under the limit, built to decode to as much memory as JSON
 * can, runs to its end without taking the heap.
 */
class OversizeMessageIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClassInOwnVhost();

    static final String QUEUE = services.queue("oversize");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final long LIMIT = 1024 * 1024; // the default bullpen.worker.max-message-bytes
    static ServiceProcess worker;
    static Connection amqp;
    static RedisResultBackend results;

    @BeforeAll
    static void startWorker() throws Exception {
        Map<String, String> properties = new HashMap<>(services.springProperties());
        properties.put("bullpen.worker.queues", QUEUE);
        properties.put("bullpen.worker.name", services.workerName("oversize"));
        worker = ServiceProcess.jar("worker").quickStart().properties(properties)
                .environment(Map.of("JAVA_TOOL_OPTIONS", composeWorkerJavaOptions())).start()
                .awaitUp(Duration.ofSeconds(90));
        ConnectionFactory factory = services.amqpConnectionFactory();
        InboundGuard.install(factory, InboundGuard.CLIENT_DEFAULT_LIMIT);
        amqp = factory.newConnection("oversize-test");
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofHours(1));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (amqp != null) {
            amqp.close();
        }
        if (results != null) {
            results.close();
        }
    }

    /** The worker's {@code JAVA_TOOL_OPTIONS} in docker-compose.yml, read from the file so the two never drift. */
    static String composeWorkerJavaOptions() throws Exception {
        Path compose = Path.of("").toAbsolutePath();
        while (!Files.exists(compose.resolve("docker-compose.yml"))) {
            compose = compose.getParent();
        }
        String text = Files.readString(compose.resolve("docker-compose.yml"));
        String worker = text.substring(text.indexOf("\n  worker:"));
        String line = worker.lines().filter(l -> l.strip().startsWith("JAVA_TOOL_OPTIONS:")).findFirst().orElseThrow();
        String options = line.substring(line.indexOf(':') + 1).strip().replace("\"", "");
        assertThat(options).contains("-Xmx256m");
        return options;
    }

    @Test
    void aFiftyMegabyteMessageIsDeadLetteredWithTheReasonAndNeverHeld() throws Exception {
        String id = "huge-" + UUID.randomUUID();
        StringBuilder body = new StringBuilder(50 * 1024 * 1024 + 100).append("[[[");
        while (body.length() < 50 * 1024 * 1024) {
            body.append("1234567,");
        }
        body.append("1], 2], {}, {}]");
        publish(id, body.toString());

        GetResponse dead = awaitDeadLetter(id);

        Map<String, Object> headers = dead.getProps().getHeaders();
        assertThat(headers.get(DeadLetters.REASON).toString()).isEqualTo("message body of " + body.length()
                + " bytes is over bullpen.worker.max-message-bytes (" + LIMIT + " bytes); the body was not kept");
        assertThat(headers.get("task").toString()).isEqualTo("demo.add");
        assertThat(dead.getBody()).isEmpty();
        assertThat(runs(1, 2)).isEqualTo(3);
        assertThat(worker.tail()).doesNotContain("OutOfMemoryError");
    }

    @Test
    void aBurstOfMessagesJustUnderTheLimitThatDecodeToTheMostMemoryRunsWithoutTakingTheHeap() throws Exception {
        // Empty JSON objects: three bytes each on the wire, some hundred bytes each once decoded.
        StringBuilder objects = new StringBuilder((int) LIMIT).append("[[[");
        while (objects.length() < LIMIT - 100) {
            objects.append("{},");
        }
        String body = objects.append("{}], 2], {}, {}]").toString();
        assertThat(body.length()).isLessThanOrEqualTo((int) LIMIT);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = "burst-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            publish(id, body);
        }

        for (String id : ids) {
            TaskResult result = await().atMost(WAIT).until(() -> results.get(id), r -> r.state().isReady());
            // A list is no number: Java's own TypeError, stored like any other failure.
            assertThat(result.state()).as("%s", result).isEqualTo(TaskState.FAILURE);
        }
        assertThat(runs(2, 3)).isEqualTo(5);
        assertThat(worker.tail()).doesNotContain("OutOfMemoryError");
        assertThat(health()).contains("\"UP\"");
    }

    private static void publish(String id, String body) throws Exception {
        try (Channel channel = amqp.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .contentEncoding("utf-8").correlationId(id).deliveryMode(2)
                    .headers(Map.of("lang", "py", "task", "demo.add", "id", id)).build();
            channel.basicPublish("", QUEUE, props, body.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    private static int runs(int x, int y) throws Exception {
        String id = "add-" + UUID.randomUUID();
        publish(id, "[[" + x + ", " + y + "], {}, {}]");
        TaskResult result = await().atMost(WAIT).until(() -> results.get(id), r -> r.state().isReady());
        assertThat(result.state()).as("%s", result).isEqualTo(TaskState.SUCCESS);
        return result.result().intValue();
    }

    private static GetResponse awaitDeadLetter(String id) throws Exception {
        try (Channel channel = amqp.createChannel()) {
            return await().atMost(WAIT).until(() -> channel.basicGet(DeadLetters.queueFor(QUEUE), true),
                    r -> r != null && id.equals(String.valueOf(r.getProps().getHeaders().get("id"))));
        }
    }

    private static String health() throws Exception {
        return new TestHttp(worker.port()).get("/actuator/health").body();
    }
}
