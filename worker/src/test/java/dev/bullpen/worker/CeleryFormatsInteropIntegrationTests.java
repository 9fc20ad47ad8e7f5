package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.Captures;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
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
import tools.jackson.databind.JsonNode;

/**
 * What real Celery clients put on the wire reaches Bullpen tasks intact: a Python Celery client's
 * zlib and gzip bodies and 100 KB arguments with an argsrepr past 64 KiB, kombu 5.3+ typed JSON
 * values (from the hand-written 5.3 fixtures, published raw), and Bullpen's own long headers.
 */
@SpringBootTest(classes = {WorkerApplication.class, CeleryFormatsInteropIntegrationTests.Config.class},
        properties = "server.port=0")
class CeleryFormatsInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("interop-formats");
    static final Duration WAIT = Duration.ofSeconds(20);

    private static final String N10 = "nnnnnnnnnn";
    private static final String N100 = N10 + N10 + N10 + N10 + N10 + N10 + N10 + N10 + N10 + N10;
    private static final String N1000 = N100 + N100 + N100 + N100 + N100 + N100 + N100 + N100 + N100 + N100;
    /** A task name far past AMQP's 255-byte short strings: it travels as a long-string header. */
    static final String LONG_NAME = "formats.long." + N1000;

    static final List<String> taskIds = new ArrayList<>();
    static Connection amqp;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        // Celery 5.2 has no global_keyprefix: use its plain keys, and delete the ones this test makes.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @BeforeAll
    static void connect() throws Exception {
        amqp = services.amqpConnectionFactory().newConnection("formats-tests");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        amqp.close();
        try (var redis = services.redisConnectionFactory().getConnection()) {
            for (String id : taskIds) {
                redis.keyCommands().del(("celery-task-meta-" + id).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Autowired
    TaskClient client;

    @Autowired
    Worker worker;

    @Test
    @NeedsPython
    void aPythonClientsCompressedAndLongMessagesRunOnBullpen() throws Exception {
        Path script = PythonCelery.script("celery_send_formats.py");
        String redis = PythonCelery.redisUrl(services);

        String output = PythonCelery.run(script.toString(), services.amqpUri().toString(),
                redis, QUEUE, LONG_NAME);

        Map<String, JsonNode> steps = new HashMap<>();
        output.lines().filter(line -> line.startsWith("{")).map(line -> CeleryJson.mapper().readTree(line))
                .forEach(step -> {
                    steps.put(step.get("step").stringValue(), step);
                    taskIds.add(step.get("id").stringValue());
                });
        assertThat(steps).as("output:%n%s", output).containsOnlyKeys("zlib", "gzip", "bzip2", "long", "long_name");
        assertThat(steps.get("zlib").get("result").intValue()).isEqualTo(5);
        assertThat(steps.get("gzip").get("result").intValue()).isEqualTo(5);

        JsonNode long1 = steps.get("long");
        assertThat(long1.get("argsrepr").intValue()).isGreaterThan(64 * 1024);
        assertThat(long1.get("result").get("x").intValue()).isEqualTo(100_000);
        assertThat(long1.get("result").get("argsrepr").intValue()).isEqualTo(long1.get("argsrepr").intValue());
        assertThat(long1.get("result").get("id").intValue()).isEqualTo(250);
        JsonNode longName = steps.get("long_name").get("result");
        assertThat(longName.get("task").intValue()).isEqualTo(LONG_NAME.length()).isGreaterThan(1000);
        assertThat(longName.get("x").intValue()).isEqualTo(100_000);

        // bzip2 has no codec in the JDK: parked with a reason that says so, not lost and not retried.
        GetResponse dead = awaitDeadLetter();
        assertThat(dead.getProps().getHeaders().get(DeadLetters.REASON).toString())
                .startsWith("unsupported compression 'application/x-bz2'");
        assertThat(dead.getProps().getHeaders().get("id").toString()).isEqualTo(steps.get("bzip2").get("id").stringValue());
    }

    @Test
    void kombu53TypedValuesPublishedRawBindToJavaTypes() throws Exception {
        await().atMost(WAIT).until(worker::isConsuming);

        TaskHandle dates = client.handle(publishRaw("datetimes"));
        TaskHandle typed = client.handle(publishRaw("uuid_decimal_bytes"));
        TaskHandle zlib = client.handle(publishRaw("compressed_zlib"));

        assertThat(dates.get(WAIT, List.class)).containsExactly(
                OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000, ZoneOffset.UTC).toString(),
                LocalDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000).toString(),
                LocalDate.of(2026, 11, 25).toString(),
                LocalTime.of(8, 0, 21, 724_910_000).toString(),
                OffsetDateTime.of(2026, 11, 25, 10, 0, 0, 0, ZoneOffset.ofHours(2)).toString());
        assertThat(typed.get(WAIT, List.class)).containsExactly("6f76ca88-2c72-414a-aa40-6601bcb510c6", "12.50", "hello",
                "ff0001", "01965dfe-77ac-78e2-9f69-51e5ce8bd080 v7", "-0.0000001");
        assertThat(zlib.get(WAIT).toString()).isEqualTo("[2,3]");
    }

    @Test
    void bullpensOwnPublisherSendsLongValuesWhole() {
        String big = "y".repeat(100_000);
        TaskMessage message = TaskMessageBuilder.of("formats.sizes", UUID.randomUUID().toString())
                .args(CeleryJson.mapper().createArrayNode().add(big))
                .header("x-long", "z".repeat(70_000))
                .build();

        TaskHandle handle = client.sendAsync(message, QUEUE).join();
        taskIds.add(handle.id());

        JsonNode sizes = handle.get(WAIT);
        assertThat(sizes.get("x").intValue()).isEqualTo(100_000);
        assertThat(sizes.get("header").intValue()).isEqualTo(70_000);
        // Bullpen's own argsrepr is cut where Celery cuts it (argsrepr_maxsize, 1024): on purpose, not by the wire.
        assertThat(sizes.get("argsrepr").intValue()).isBetween(1024, 1040);
    }

    /** Publishes a 5.3 fixture as it is, but under a fresh task id so that no earlier run's result is read. */
    private static String publishRaw(String name) throws Exception {
        Captures.Message m = Captures.message53(name);
        String id = UUID.randomUUID().toString();
        Map<String, @Nullable Object> headers = m.amqpHeaders();
        headers.put("id", LongStringHelper.asLongString(id));
        headers.put("root_id", LongStringHelper.asLongString(id));
        AMQP.BasicProperties props = m.amqpProperties().builder().correlationId(id).headers(new HashMap<>(headers)).build();
        try (Channel ch = amqp.createChannel()) {
            ch.basicPublish("", QUEUE, props, m.bodyBytes());
        }
        taskIds.add(id);
        return id;
    }

    private static GetResponse awaitDeadLetter() {
        String dlq = DeadLetters.queueFor(QUEUE);
        GetResponse[] got = new GetResponse[1];
        await().atMost(WAIT).until(() -> {
            try (Channel ch = amqp.createChannel()) {
                got[0] = ch.basicGet(dlq, true);
            }
            return got[0] != null;
        });
        return got[0];
    }

    @TestConfiguration
    static class Config {

        @Bean
        FormatTasks formatTasks() {
            return new FormatTasks();
        }
    }

    static class FormatTasks {

        @Task("formats.datetimes")
        List<String> datetimes(OffsetDateTime aware, LocalDateTime naive, LocalDate day, LocalTime at, OffsetDateTime deadline) {
            return List.of(aware.toString(), naive.toString(), day.toString(), at.toString(), deadline.toString());
        }

        @Task("formats.typed")
        List<String> typed(UUID id, BigDecimal amount, byte[] text, byte[] raw, UUID v7, BigDecimal rate) {
            return List.of(id.toString(), amount.toString(), new String(text, StandardCharsets.UTF_8),
                    HexFormat.of().formatHex(raw), v7 + " v" + v7.version(), rate.toPlainString());
        }

        @Task("formats.echo")
        List<Object> echo(@Args List<Object> args) {
            return args;
        }

        @Task("formats.sizes")
        Map<String, Integer> sizes(String x, TaskContext context) {
            return sizesOf(x, context);
        }

        @Task(LONG_NAME)
        Map<String, Integer> longName(String x, TaskContext context) {
            return sizesOf(x, context);
        }

        private static Map<String, Integer> sizesOf(String x, TaskContext context) {
            Map<String, @Nullable Object> headers = context.headers();
            Object extra = headers.get("x-long");
            return Map.of("x", x.length(), "argsrepr", String.valueOf(headers.get("argsrepr")).length(),
                    "id", context.id().length(), "task", context.task().length(),
                    "header", extra == null ? 0 : extra.toString().length());
        }
    }
}
