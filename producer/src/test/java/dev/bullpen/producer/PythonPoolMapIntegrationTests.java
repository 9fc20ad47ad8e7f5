package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.client.MapFailedException;
import dev.bullpen.client.MapHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.Workflow;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCeleryWorker;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Pool maps sent with the Java API run on a real Python Celery 5.2 worker (Debian's python3-celery):
 * the chunks are Celery's own {@code celery.starmap} messages, which Python's built-in runs, and the
 * map and starmap are plain task messages. A Python worker does not say which tuple of a chunk
 * failed, so the handle names the chunk's first index and no item.
 */
@NeedsPython
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PythonPoolMapIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("python-pool-maps");
    static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final PythonCeleryWorker python = PythonCeleryWorker.on(services, QUEUE).build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @Autowired
    TaskClient client;

    @Test
    void javaChunksRunAsCeleryStarmapOnAPythonWorker() {
        List<List<Integer>> pairs = IntStream.range(0, 25).mapToObj(i -> List.of(i, 100)).toList();
        MapHandle map = client.apply(Workflow.chunks("py.add", pairs, 10));
        assertThat(map.get(WAIT)).as(python.log()).extracting(JsonNode::asInt)
                .isEqualTo(IntStream.range(0, 25).map(i -> i + 100).boxed().toList());
        assertThat(map.tasks().get(2).get(WAIT).toString()).isEqualTo("[120,121,122,123,124]");
        assertThat(map.tasks().get(2).result().meta().worker()).startsWith(python.nodeNamePrefix());
    }

    @Test
    void aJavaMapAndStarmapRunOnAPythonWorker() {
        assertThat(client.apply(Workflow.map("py.greet", List.of("a", "b"))).get(WAIT))
                .extracting(JsonNode::asString).containsExactly("Hello, a!", "Hello, b!");
        assertThat(client.apply(Workflow.starmap("py.greet", List.of(List.of("a", "Hi"), List.of("b", "Yo", "?")))).get(WAIT))
                .extracting(JsonNode::asString).containsExactly("Hi, a!", "Yo, b?");
    }

    @Test
    void aChunkFailingOnAPythonWorkerIsNamedByTheChunksFirstIndex() {
        List<List<Object>> pairs = List.of(List.of(1, 2), List.of(3, 4), List.of(5, 6), List.of(7, "x"));
        MapHandle map = client.apply(Workflow.chunks("py.add", pairs, 2));
        assertThatThrownBy(() -> map.get(WAIT)).isInstanceOfSatisfying(MapFailedException.class, ex -> {
            assertThat(ex.remoteType()).isEqualTo("TypeError");
            assertThat(ex.index()).as("the failed chunk's first input").isEqualTo(2);
            assertThat(ex.item()).as("Python does not say which").isNull();
        });
    }
}
