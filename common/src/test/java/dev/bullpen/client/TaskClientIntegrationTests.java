package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.protocol.WireTime;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.RemoteError;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ForwardingResultBackend;
import dev.bullpen.test.TcpProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** The client against the real RabbitMQ and Redis: what lands in the queue, and reading results. */
class TaskClientIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    /** A bound against hanging, not a speed test. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static RedisResultBackend results;
    private static Connection amqp;

    private final TaskMessageCodec codec = new TaskMessageCodec();
    private TaskClient client;
    private Channel channel;

    @BeforeAll
    static void connect() throws Exception {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofHours(1));
        amqp = services.amqpConnectionFactory().newConnection("bullpen-test-inspector");
    }

    @AfterAll
    static void disconnect() throws Exception {
        results.close();
        amqp.close();
    }

    @BeforeEach
    void openClient() throws IOException {
        client = TaskClient.builder(services.amqpConnectionFactory(), results).settings(settings(true)).build();
        channel = amqp.createChannel();
    }

    @AfterEach
    void closeClient() throws Exception {
        client.close();
        if (channel.isOpen()) {
            channel.close();
        }
    }

    private static TaskClientSettings settings(boolean createMissingQueues) {
        return new TaskClientSettings(services.queue("default"), Duration.ofSeconds(10), 2, createMissingQueues);
    }

    /** Takes the next message off the queue, waiting for it if need be. */
    private GetResponse take(String queue) {
        GetResponse[] got = new GetResponse[1];
        await().atMost(PATIENCE).until(() -> (got[0] = channel.basicGet(queue, true)) != null);
        return got[0];
    }

    private static Object header(GetResponse message, String name) {
        Object value = message.getProps().getHeaders().get(name);
        return value instanceof LongString s ? s.toString() : value;
    }

    // --- what goes on the wire ---

    @Test
    void aSentTaskIsInTheQueueInCeleryFormat() {
        String queue = services.queue("plain");

        TaskHandle handle = client.send("proj.add", List.of(2, 3), Map.of(), TaskOptions.defaults().queue(queue));

        GetResponse message = take(queue);
        AMQP.BasicProperties props = message.getProps();
        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getContentEncoding()).isEqualTo("utf-8");
        assertThat(props.getDeliveryMode()).isEqualTo(2);
        assertThat(props.getPriority()).isEqualTo(0);
        assertThat(props.getCorrelationId()).isEqualTo(handle.id());
        assertThat(props.getExpiration()).isNull();
        assertThat(message.getEnvelope().getExchange()).isEmpty();
        assertThat(message.getEnvelope().getRoutingKey()).isEqualTo(queue);

        assertThat(props.getHeaders()).containsOnlyKeys("lang", "task", "id", "shadow", "eta", "expires", "group",
                "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin",
                "ignore_result", MeterNames.PUBLISHED_AT_HEADER);
        // Bullpen's own header (seconds since the epoch) times the wait to start; Celery ignores it.
        assertThat(((Number) header(message, MeterNames.PUBLISHED_AT_HEADER)).doubleValue())
                .isCloseTo(System.currentTimeMillis() / 1000.0, within(60.0));
        assertThat(header(message, "lang")).isEqualTo("py");
        assertThat(header(message, "task")).isEqualTo("proj.add");
        assertThat(header(message, "id")).isEqualTo(handle.id());
        assertThat(header(message, "root_id")).isEqualTo(handle.id());
        assertThat(header(message, "parent_id")).isNull();
        assertThat(header(message, "eta")).isNull();
        assertThat(header(message, "retries")).isEqualTo(0);
        assertThat(header(message, "timelimit")).isEqualTo(Arrays.asList(null, null));
        assertThat(header(message, "argsrepr")).isEqualTo("(2, 3)");
        assertThat(header(message, "kwargsrepr")).isEqualTo("{}");
        assertThat((String) header(message, "origin")).matches("gen\\d+@.+");
        assertThat(header(message, "ignore_result")).isEqualTo(false);
        assertThat(new String(message.getBody(), StandardCharsets.UTF_8))
                .isEqualTo("[[2, 3], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]");

        TaskMessage decoded = codec.decode(props, message.getBody());
        assertThat(decoded.id()).isEqualTo(handle.id());
        assertThat(decoded.task()).isEqualTo("proj.add");
    }

    @Test
    void kwargsAndTimeLimits() {
        String queue = services.queue("kwargs");

        client.send("proj.add", List.of(), Map.of("x", 2), TaskOptions.defaults().queue(queue)
                .timeLimit(Duration.ofSeconds(20)).softTimeLimit(Duration.ofSeconds(10)));

        GetResponse message = take(queue);
        assertThat(header(message, "kwargsrepr")).isEqualTo("{'x': 2}");
        assertThat(header(message, "argsrepr")).isEqualTo("()");
        // [hard, soft], whole seconds as integers, as Celery sends them.
        assertThat(header(message, "timelimit")).isEqualTo(List.of(20, 10));
        assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).startsWith("[[], {\"x\": 2}, ");
    }

    @Test
    void aCountdownBecomesAnEtaHeaderInUtc() {
        String queue = services.queue("countdown");
        Instant before = Instant.now();

        client.send("proj.add", List.of(1, 1), Map.of(), TaskOptions.defaults().queue(queue).countdown(Duration.ofSeconds(30)));

        Instant after = Instant.now();
        String eta = (String) header(take(queue), "eta");
        assertThat(eta).endsWith("+00:00");
        assertThat(WireTime.parse(eta).toInstant())
                .isBetween(before.plusSeconds(30).minusMillis(1), after.plusSeconds(30).plusMillis(1));
    }

    @Test
    void anEtaAndExpiresAreSentAsGiven() {
        String queue = services.queue("eta");
        Instant eta = Instant.parse("2030-01-02T03:04:05.123456Z");
        Instant expires = Instant.parse("2030-01-02T04:04:05Z");

        client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue).eta(eta).expires(expires));

        GetResponse message = take(queue);
        assertThat(header(message, "eta")).isEqualTo("2030-01-02T03:04:05.123456+00:00");
        assertThat(header(message, "expires")).isEqualTo("2030-01-02T04:04:05+00:00");
        // Unlike Celery 5.2+, no broker TTL: a worker must see the expired task to mark it REVOKED.
        assertThat(message.getProps().getExpiration()).isNull();
    }

    @Test
    void thePriorityIsAProperty() {
        String queue = services.queue("priority");

        client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue).priority(7));

        assertThat(take(queue).getProps().getPriority()).isEqualTo(7);
    }

    @Test
    void aGivenTaskIdIsUsed() {
        String queue = services.queue("taskid");

        TaskHandle handle = client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue).taskId("my-id-1"));

        assertThat(handle.id()).isEqualTo("my-id-1");
        assertThat(take(queue).getProps().getCorrelationId()).isEqualTo("my-id-1");
    }

    @Test
    void theDefaultQueueIsUsedWhenNoneIsNamed() {
        client.send("proj.add", List.of(1));

        assertThat(header(take(services.queue("default")), "argsrepr")).isEqualTo("(1,)");
    }

    @Test
    void aBuiltMessageIsSentAsIs() {
        String queue = services.queue("built");
        TaskMessage built = TaskMessageBuilder.of("proj.built", "built-1").parentId("parent-1").retries(2).build();

        assertThat(client.sendAsync(built, queue)).succeedsWithin(PATIENCE);

        GetResponse message = take(queue);
        assertThat(header(message, "parent_id")).isEqualTo("parent-1");
        assertThat(header(message, "retries")).isEqualTo(2);
        assertThat(message.getBody()).isEqualTo(codec.body(built));
    }

    // --- queues ---

    @Test
    void aMissingQueueIsDeclaredLikeCelery() throws Exception {
        String queue = services.queue("declared");

        client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue));

        // Redeclaring with Celery's arguments would fail with PRECONDITION_FAILED if anything differed.
        AMQP.Queue.DeclareOk ok = channel.queueDeclare(queue, true, false, false, null);
        assertThat(ok.getMessageCount()).isEqualTo(1);
        channel.exchangeDeclare(queue, "direct", true);
        // Bound to the exchange of the same name with the queue's name, as kombu binds it.
        channel.confirmSelect();
        channel.basicPublish(queue, queue, true, null, "x".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(PATIENCE.toMillis());
        await().atMost(PATIENCE).until(() -> channel.queueDeclarePassive(queue).getMessageCount() == 2);
    }

    @Test
    void aQueueTheBrokerLostIsDeclaredAgainAfterTheSendThatFoundItMissing() throws Exception {
        String queue = services.queue("lost");
        client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue));
        channel.queueDelete(queue); // as on a broker back without its data

        assertThatThrownBy(() -> client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue)))
                .isInstanceOf(TaskPublishException.class)
                .hasMessageContaining("unroutable");
        client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue));

        assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);
    }

    @Test
    void anExistingQueueIsLeftAsItIs() throws IOException {
        String queue = services.queue("existing");
        channel.queueDeclare(queue, true, false, false, Map.of("x-max-priority", 10));

        client.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue).priority(9));

        assertThat(take(queue).getProps().getPriority()).isEqualTo(9);
    }

    @Test
    void withoutCreatingQueuesAMissingQueueIsUnroutable() {
        String queue = services.queue("missing");
        try (TaskClient strict = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(settings(false)).build()) {

            assertThatThrownBy(() -> strict.send("proj.add", List.of(), Map.of(), TaskOptions.defaults().queue(queue)))
                    .isInstanceOf(TaskPublishException.class)
                    .hasMessageContaining("unroutable")
                    .hasMessageContaining(queue);

            CompletableFuture<TaskHandle> async = strict.sendAsync("proj.add", List.of(), Map.of(),
                    TaskOptions.defaults().queue(queue));
            assertThat(catchThrowable(() -> async.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)))
                    .isNotInstanceOf(TimeoutException.class)
                    .hasCauseInstanceOf(TaskPublishException.class)
                    .hasMessageContaining("unroutable");
        }
    }

    @Test
    void onlyTheUnroutableMessagesOfABatchFail() throws IOException {
        String present = services.queue("present");
        String absent = services.queue("absent");
        channel.queueDeclare(present, true, false, false, null);
        try (TaskClient strict = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(settings(false)).build()) {
            List<CompletableFuture<TaskHandle>> toPresent = new ArrayList<>();
            List<CompletableFuture<TaskHandle>> toAbsent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // The same body to both queues: a return must be told apart by where it went.
                toPresent.add(strict.sendAsync("proj.add", List.of(1), Map.of(), TaskOptions.defaults().queue(present)));
                toAbsent.add(strict.sendAsync("proj.add", List.of(1), Map.of(), TaskOptions.defaults().queue(absent)));
            }

            await().atMost(PATIENCE).until(() -> toPresent.stream().allMatch(CompletableFuture::isDone)
                    && toAbsent.stream().allMatch(CompletableFuture::isDone));
            assertThat(toPresent).allSatisfy(f -> assertThat(f).isCompleted());
            assertThat(toAbsent).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
            assertThat(channel.queueDeclarePassive(present).getMessageCount()).isEqualTo(200);
        }
    }

    // --- when the broker is not there ---

    @Test
    void anUnreachableBrokerFailsTheSendQuickly() throws IOException {
        ConnectionFactory nowhere = services.amqpConnectionFactory();
        nowhere.setHost("127.0.0.1");
        nowhere.setPort(closedPort());

        for (boolean createQueues : new boolean[] {true, false}) {
            try (TaskClient unreachable = TaskClient.builder(nowhere, results)
                    .settings(settings(createQueues)).build()) {
                assertTimeoutPreemptively(PATIENCE, () -> {
                    assertThatThrownBy(() -> unreachable.send("proj.add", List.of(1)))
                            .isInstanceOf(TaskPublishException.class)
                            .hasMessageContaining("could not connect to RabbitMQ at 127.0.0.1:" + nowhere.getPort())
                            .hasMessageContaining("Connection refused");
                    CompletableFuture<TaskHandle> async = unreachable.sendAsync("proj.add", List.of(1), Map.of(),
                            TaskOptions.defaults());
                    await().atMost(PATIENCE).until(async::isDone);
                    assertThat(async).isCompletedExceptionally();
                });
            }
        }
    }

    @Test
    void sendAsyncGivesUpOnAConfirmThatNeverComes() {
        // The connection stays open and the publish goes out, but the broker's confirm is held: only
        // sendAsync's own confirm timeout ends the wait, as a TaskPublishException caused by a timeout.
        ConnectionFactory direct = services.amqpConnectionFactory();
        try (TcpProxy proxy = new TcpProxy(direct.getHost(), direct.getPort()).start()) {
            ConnectionFactory viaProxy = services.amqpConnectionFactory();
            viaProxy.setHost("127.0.0.1");
            viaProxy.setPort(proxy.port());
            TaskClientSettings quick = new TaskClientSettings(services.queue("default"), Duration.ofSeconds(1), 1, true);
            try (TaskClient client = TaskClient.builder(viaProxy, results).settings(quick).build()) {
                // Connected, the queue declared and the one publishing channel open: only a confirm is awaited next.
                client.send("proj.add", List.of(1, 2));
                proxy.freeze();
                CompletableFuture<TaskHandle> unconfirmed = client.sendAsync("proj.add", List.of(3, 4), Map.of(),
                        TaskOptions.defaults());

                assertThat(unconfirmed).failsWithin(PATIENCE).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(TaskPublishException.class)
                        .withMessageContaining("did not confirm")
                        .havingCause().isInstanceOf(TimeoutException.class);
                proxy.thaw(); // and the client closes normally
            }
        }
    }

    @Test
    void aBrokerThatNeverAnswersFailsTheSend() throws IOException {
        // Accepts the TCP connection, then says nothing: the AMQP handshake times out.
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            ConnectionFactory mute = services.amqpConnectionFactory();
            mute.setHost("127.0.0.1");
            mute.setPort(silent.getLocalPort());
            mute.setHandshakeTimeout(2_000);
            try (TaskClient client = TaskClient.builder(mute, results).settings(settings(true)).build()) {
                assertTimeoutPreemptively(PATIENCE, () -> assertThatThrownBy(() -> client.send("proj.add", List.of(1)))
                        .isInstanceOf(TaskPublishException.class)
                        .hasMessageContaining("could not connect to RabbitMQ at 127.0.0.1:" + silent.getLocalPort()));
            }
        }
    }

    @Test
    void aClosedClientRefusesToSend() {
        client.close();

        assertThatThrownBy(() -> client.send("proj.add", List.of(1))).isInstanceOf(TaskPublishException.class);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    // --- many at once ---

    @Test
    void fiveThousandAsyncSendsAllConfirm() throws IOException {
        String queue = services.queue("bulk");
        List<CompletableFuture<TaskHandle>> sent = new ArrayList<>();

        for (int i = 0; i < 5_000; i++) {
            sent.add(client.sendAsync("proj.add", List.of(i, i), Map.of(), TaskOptions.defaults().queue(queue)));
        }

        assertThat(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))).succeedsWithin(Duration.ofMinutes(2));
        assertThat(sent.stream().map(f -> f.join().id()).distinct().count()).isEqualTo(5_000);
        await().atMost(PATIENCE).until(() -> channel.queueDeclarePassive(queue).getMessageCount() == 5_000);
    }

    @Test
    void aContinuationOfASendMaySendAgain() {
        // Confirms arrive on the connection's thread; a continuation blocking there would deadlock.
        String queue = services.queue("chained");

        CompletableFuture<TaskHandle> chained = client.sendAsync("proj.first", List.of(), Map.of(), TaskOptions.defaults().queue(queue))
                .thenApply(first -> client.send("proj.second", List.of(), Map.of(),
                        TaskOptions.defaults().queue(services.queue("chained-next"))));

        assertThat(chained).succeedsWithin(PATIENCE);
    }

    // --- results ---

    private static ResultMeta meta() {
        return new ResultMeta("proj.add", NODES.arrayNode().add(2).add(3), NODES.objectNode(), "w@test", 0, "celery",
                null, null);
    }

    @Test
    void aClientThatDoesNotExpectResultsListensForNoneBeforePublishingYetItsHandlesStillGetThem() {
        List<String> expected = new java.util.concurrent.CopyOnWriteArrayList<>();
        ResultBackend counting = new ForwardingResultBackend(results) {
            @Override
            public void expect(String taskId) {
                expected.add(taskId);
                super.expect(taskId);
            }

            @Override
            public void close() {
                // the class's backend is closed after all
            }
        };
        String queue = services.queue("not-expected");
        try (TaskClient expecting = TaskClient.builder(services.amqpConnectionFactory(), counting)
                .settings(settings(true)).build();
             TaskClient notExpecting = TaskClient.builder(services.amqpConnectionFactory(), counting)
                     .settings(settings(true).withExpectResults(false)).build()) {
            TaskHandle first = expecting.send("proj.add", List.of(2, 3), Map.of(), TaskOptions.defaults().queue(queue));
            assertThat(expected).containsExactly(first.id());

            TaskHandle handle = notExpecting.send("proj.add", List.of(2, 3), Map.of(), TaskOptions.defaults().queue(queue));
            assertThat(expected).as("nothing listened for before publishing").containsExactly(first.id());
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> handle.get(PATIENCE, Integer.class));
            results.store(TaskResult.success(handle.id(), NODES.numberNode(5), meta()));
            assertThat(waiting).succeedsWithin(PATIENCE).isEqualTo(5);
            results.store(TaskResult.success(first.id(), NODES.numberNode(5), meta()));
            assertThat(first.get(PATIENCE, Integer.class)).isEqualTo(5);
        }
    }

    @Test
    void getReturnsTheValueOnceStored() {
        TaskHandle handle = client.send("proj.add", List.of(2, 3), Map.of(), TaskOptions.defaults().queue(services.queue("results")));
        assertThat(handle.state()).isEqualTo(TaskState.PENDING);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> handle.get(PATIENCE, Integer.class));

        results.store(TaskResult.success(handle.id(), NODES.numberNode(5), meta()));

        assertThat(waiting).succeedsWithin(PATIENCE).isEqualTo(5);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(handle.get(PATIENCE)).isEqualTo(NODES.numberNode(5));
        assertThat(client.handle(handle.id()).result().meta().worker()).isEqualTo("w@test");
    }

    @Test
    void aFailureIsThrownWithTheRemoteDetails() {
        String id = "failing-" + System.nanoTime();
        RemoteError error = new RemoteError("ValueError", "builtins",
                List.of(NODES.stringNode("bad thing"), NODES.numberNode(42)), "Traceback (most recent call last):\n...\n");
        results.store(TaskResult.failure(id, TaskState.FAILURE, error, meta()));

        assertThatThrownBy(() -> client.handle(id).get(PATIENCE))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.taskId()).isEqualTo(id);
                    assertThat(e.state()).isEqualTo(TaskState.FAILURE);
                    assertThat(e.remoteType()).isEqualTo("ValueError");
                    assertThat(e.remoteMessage()).isEqualTo("('bad thing', 42)");
                    assertThat(e.remoteTraceback()).startsWith("Traceback (most recent call last):");
                    assertThat(e.getMessage()).contains("ValueError: ('bad thing', 42)");
                });
    }

    @Test
    void aRevokedTaskIsAFailureToo() {
        String id = "revoked-" + System.nanoTime();
        results.store(new TaskResult(id, TaskState.REVOKED, NODES.nullNode(), null,
                OffsetDateTime.now(ZoneOffset.UTC), ResultMeta.NONE));

        assertThatThrownBy(() -> client.handle(id).get(PATIENCE))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> assertThat(e.state()).isEqualTo(TaskState.REVOKED));
    }

    @Test
    void aTaskNotReadyInTimeIsATimeout() {
        TaskHandle handle = client.handle("never-" + System.nanoTime());

        assertThatThrownBy(() -> handle.get(Duration.ofMillis(200)))
                .isInstanceOf(TaskTimeoutException.class)
                .hasMessageContaining(handle.id())
                .hasMessageContaining("PENDING");
    }

    @Test
    void toFutureCompletesWithTheValue() {
        String id = "future-ok-" + System.nanoTime();
        CompletableFuture<JsonNode> future = client.handle(id).toFuture();

        results.store(TaskResult.success(id, NODES.stringNode("done"), meta()));

        assertThat(future).succeedsWithin(PATIENCE).isEqualTo(NODES.stringNode("done"));
    }

    @Test
    void toFutureFailsOnFailure() {
        String id = "future-failed-" + System.nanoTime();
        CompletableFuture<JsonNode> future = client.handle(id).toFuture();

        results.store(TaskResult.failure(id, TaskState.FAILURE, RemoteError.of(new IllegalStateException("nope"), null), meta()));

        await().atMost(PATIENCE).until(future::isDone);
        assertThat(future).isCompletedExceptionally();
        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.remoteType()).isEqualTo("IllegalStateException");
                    assertThat(e.remoteMessage()).isEqualTo("nope");
                });
    }

    @Test
    void aStartedTaskIsNotReady() {
        String id = "started-" + System.nanoTime();
        results.store(new TaskResult(id, TaskState.STARTED, CeleryJson.mapper().createObjectNode().put("pid", 1), null,
                null, meta()));

        assertThatThrownBy(() -> client.handle(id).get(Duration.ofMillis(200)))
                .isInstanceOf(TaskTimeoutException.class).hasMessageContaining("STARTED");
    }
}
