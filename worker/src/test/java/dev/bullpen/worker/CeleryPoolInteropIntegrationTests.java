package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCelery;
import dev.bullpen.worker.app.WorkerApplication;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A real Python Celery 5.2 client's {@code add.chunks(zip(range(100), range(100)), 10)},
 * {@code tsum.map([...])} and {@code add.starmap([...])} run on a Bullpen worker, which implements
 * Celery's built-ins {@code celery.starmap}, {@code celery.map} and {@code celery.chunks}, and give
 * Python what a Python worker gives it; a failure inside a chunk is Python's exception, with the
 * tuple's index beside it.
 */
@NeedsPython
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CeleryPoolInteropIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("pool-interop");
    static Path script;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        // Celery 5.2 has no global_keyprefix: use its plain keys.
        registry.add("bullpen.result.key-prefix", () -> "");
    }

    @BeforeAll
    static void copyScript() throws Exception {
        script = PythonCelery.script("celery_pool.py");
    }

    static JsonNode run(String scenario) throws Exception {
        String redis = PythonCelery.redisUrl(services);
        List<String> args = new ArrayList<>(List.of(script.toString(), services.amqpUri().toString(), redis, QUEUE, scenario));
        String output = PythonCelery.run(args.toArray(String[]::new));
        return CeleryJson.mapper().readTree(PythonCelery.lastLine(output));
    }

    @Test
    void pythonChunksRunAsCeleryStarmapTasksAndGiveOneListPerChunk() throws Exception {
        JsonNode out = run("chunks");
        assertThat(out.path("tasks").asInt()).isEqualTo(10);
        JsonNode result = out.path("result");
        assertThat(result.size()).isEqualTo(10);
        List<Integer> flat = new ArrayList<>();
        result.forEach(chunk -> {
            assertThat(chunk.size()).isEqualTo(10);
            chunk.forEach(v -> flat.add(v.asInt()));
        });
        assertThat(flat).isEqualTo(IntStream.range(0, 100).map(i -> 2 * i).boxed().toList());
    }

    @Test
    void pythonMapRunsCeleryMapOneItemAfterTheOther() throws Exception {
        assertThat(run("map").path("result").toString()).isEqualTo("[3,7,11]");
    }

    @Test
    void pythonStarmapRunsCeleryStarmap() throws Exception {
        assertThat(run("starmap").path("result").toString()).isEqualTo("[0,2,4,6,8,10,12,14,16,18]");
    }

    @Test
    void aFailureInsideAChunkIsPythonsExceptionWithTheTuplesIndex() throws Exception {
        JsonNode out = run("chunks_failure");
        assertThat(out.path("type").asString()).isEqualTo("TypeError");
        assertThat(out.path("message").asString()).contains("demo.add()");
        assertThat(out.path("failed_state").asString()).isEqualTo("FAILURE");
        assertThat(out.path("item_index").asInt()).as("[7, 'x'] is the chunk's 2nd tuple").isEqualTo(1);
        assertThat(out.path("others").toString()).isEqualTo("[[3,7],[19]]");
    }

    @Test
    void aChunksStepInAPythonChainIsCeleryChunksAndReturnsItsGroup() throws Exception {
        JsonNode out = run("chunks_in_chain");
        assertThat(out.path("first").asInt()).isEqualTo(2);
        assertThat(out.path("result").toString()).isEqualTo("[[3,7],[11]]");
    }
}
