package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.bullpen.test.BullpenServices;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Task and queue names from callers do not become meter tags without bound: a thousand task names
 * the producer does not know, and twenty queues it takes by pattern only, add no series to the
 * scrape (before, each was a series of its own, and each queue a latency histogram), under {@code task="unregistered"} and {@code queue="other"}; names it knows (routed,
 * configured, or reported by a live worker's heartbeat) keep their own tag.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MeterTagBoundsIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");
    static final String WORKER = services.workerName("heartbeat");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> TASKS);
        registry.add("bullpen.routes[known.routed]", () -> TASKS);
    }

    @BeforeAll
    static void declareQueues() throws Exception {
        broker.declare(TASKS);
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        heartbeat("worker-offline", List.of());
        broker.close();
    }

    @Test
    void aThousandUnknownTaskNamesAndTwentyUnlistedQueuesAddAHandfulOfSeries() throws Exception {
        // Every series the submissions below may touch exists before counting: a known and an unknown task on
        // the default queue, and one on a queue taken by pattern only.
        assertThat(submit("[{\"task\": \"known.routed\"}, {\"task\": \"stray.first\"}, {\"task\": \"known.routed\", "
                + "\"queue\": \"" + broker.queue("tenant-first") + "\"}]").statusCode()).isEqualTo(202);
        List<String> before = series();

        for (int batch = 0; batch < 10; batch++) {
            int first = batch * 100;
            String tasks = IntStream.range(first, first + 100)
                    .mapToObj(i -> "{\"task\": \"stray.name-" + i + "\", \"args\": [" + i + "]}")
                    .collect(Collectors.joining(",", "[", "]"));
            assertThat(submit(tasks).statusCode()).isEqualTo(202);
        }
        for (int i = 0; i < 20; i++) {
            String queue = broker.queue("tenant-" + i);
            assertThat(submit("[{\"task\": \"known.routed\", \"queue\": \"" + queue + "\"}]").statusCode()).isEqualTo(202);
        }
        List<String> after = series();

        assertThat(after.size() - before.size()).as("new series").isLessThanOrEqualTo(5);
        assertThat(after).noneMatch(line -> line.contains("stray.name-"))
                .noneMatch(line -> line.contains("tenant-"))
                .anyMatch(line -> line.startsWith("bullpen_tasks_published_total")
                        && line.contains("task=\"unregistered\"") && line.contains("queue=\"" + TASKS + "\"")
                        && line.endsWith(" 1001.0"))
                .anyMatch(line -> line.startsWith("bullpen_tasks_published_total")
                        && line.contains("task=\"known.routed\"") && line.contains("queue=\"other\"")
                        && line.endsWith(" 21.0"));
    }

    @Test
    void aTaskALiveWorkerReportsKeepsItsName() throws Exception {
        heartbeat("worker-heartbeat", List.of("reported.by.worker"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> http().get("/api/workers").body().contains(WORKER));
        // The known names are refreshed at most every second.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(submit("[{\"task\": \"reported.by.worker\"}]").statusCode()).isEqualTo(202);
            assertThat(series()).anyMatch(line -> line.startsWith("bullpen_tasks_published_total")
                    && line.contains("task=\"reported.by.worker\""));
        });
    }

    /** A Bullpen worker's event on Celery's celeryev exchange, as the worker sends it. */
    private static void heartbeat(String type, List<String> tasks) throws Exception {
        String event = "{\"type\": \"" + type + "\", \"hostname\": \"" + WORKER + "\", \"sw_ident\": \"bullpen\", "
                + "\"timestamp\": " + System.currentTimeMillis() / 1000.0 + ", \"queues\": [\"" + TASKS + "\"], "
                + "\"tasks\": [" + tasks.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ")) + "]}";
        try (Connection connection = broker.connectionFactory().newConnection("fake-heartbeat");
                Channel channel = connection.createChannel()) {
            channel.exchangeDeclare("celeryev", "topic", true);
            channel.basicPublish("celeryev", "worker." + type.substring("worker-".length()), null,
                    event.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The scrape's series: every line that is not a comment. */
    private List<String> series() {
        HttpResponse<String> scrape = http().get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        // Bullpen's own meters, which carry task and queue tags: the JVM's and Tomcat's come and go by
        // themselves (a new GC cause, the scrape's own request), and would make the count flaky.
        return scrape.body().lines().filter(line -> line.startsWith("bullpen_")).toList();
    }

    private HttpResponse<String> submit(String batch) {
        return http().send(http().request("/api/tasks/batch").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(batch, StandardCharsets.UTF_8)).build());
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }
}
