package dev.bullpen.producer;

import static dev.bullpen.client.Workflow.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bullpen.client.GroupHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.Workflow;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCeleryWorker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Workflows built with the Java API run on a real Python Celery 5 worker (Debian's python3-celery):
 * the Python worker follows Bullpen's embed.chain, reads the group header and does Celery's chord
 * bookkeeping on the chord size Bullpen recorded. The tasks are in {@code interop/bullpen_pytasks.py}.
 */
@NeedsPython
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PythonWorkflowIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("python-workflows");
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
    void aJavaChainRunsOnAPythonWorker() {
        TaskHandle last = client.apply(Workflow.chain(task("py.greet", "Ada"), task("py.echo", "and"),
                task("py.echo").immutable()));
        JsonNode echoed = last.get(WAIT);
        assertThat(echoed.path("args").toString()).isEqualTo("[]");
        JsonNode middle = client.handle(last.result().meta().parentId()).get(WAIT);
        assertThat(middle.path("args").toString()).isEqualTo("[\"Hello, Ada!\",\"and\"]");
    }

    @Test
    void aJavaGroupRunsOnAPythonWorker() {
        GroupHandle group = client.apply(Workflow.group(task("py.greet", "a"), task("py.greet", "b"), task("py.greet", "c")));
        assertThat(group.get(WAIT)).extracting(JsonNode::asString).containsExactly("Hello, a!", "Hello, b!", "Hello, c!");
    }

    @Test
    void aJavaChordRunsOnAPythonWorker() {
        TaskHandle body = client.apply(Workflow.chord(List.of(task("py.greet", "a"), task("py.greet", "b"),
                task("py.greet", "c")), task("py.echo")));
        assertThat(body.get(WAIT).path("args").toString()).isEqualTo("[[\"Hello, a!\",\"Hello, b!\",\"Hello, c!\"]]");
    }

    @Test
    void aPythonWorkerFailsTheChordBodyWithChordError() {
        TaskHandle body = client.apply(Workflow.chord(List.of(task("py.greet", "a"), task("py.fail")), task("py.echo")));
        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> body.get(WAIT));
        assertThat(failed.error().type()).isEqualTo("ChordError");
        assertThat(failed.error().message()).contains("raised ValueError('bad', 42)");
    }
}
