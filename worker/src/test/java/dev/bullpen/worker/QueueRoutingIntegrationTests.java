package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.client.TaskRoutes;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.test.InProcessWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two workers, each consuming a queue of its own, and a client routing tasks by name between the
 * queues: each worker runs only the tasks of its queue.
 */
class QueueRoutingIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String ADDS = services.queue("adds");
    static final String ECHOES = services.queue("echoes");
    static final Duration WAIT = Duration.ofSeconds(30);

    static RedisResultBackend results;
    static TaskClient client;

    @BeforeAll
    static void connect() {
        results = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ofHours(1));
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("demo.add", ADDS);
        routes.put("demo.e*", ECHOES);
        client = TaskClient.builder(services.amqpConnectionFactory(), results)
                .settings(new TaskClientSettings(services.queue("default"), Duration.ofSeconds(10), 1, true)
                        .withRoutes(TaskRoutes.of(routes))).build();
    }

    @AfterAll
    static void disconnect() {
        client.close();
        results.close();
    }

    @Test
    void eachWorkerRunsOnlyTheTasksRoutedToItsQueue() {
        // Node names of this class's namespace: their direct queues are deleted after it.
        String addsWorker = services.workerName("adds");
        String echoesWorker = services.workerName("echoes");
        List<TaskHandle> adds = new ArrayList<>();
        List<TaskHandle> echoes = new ArrayList<>();
        // Sent before the workers start, so that both queues hold work when both workers look.
        for (int i = 0; i < 10; i++) {
            adds.add(client.send("demo.add", List.of(i, 1)));
            echoes.add(client.send("demo.echo", List.of(i), Map.of(), TaskOptions.defaults()));
        }

        try (ConfigurableApplicationContext addWorker = InProcessWorker.on(services).properties(Map.of("bullpen.worker.queues", ADDS, "bullpen.worker.name", addsWorker)).run();
             ConfigurableApplicationContext echoWorker = InProcessWorker.on(services).properties(Map.of("bullpen.worker.queues", ECHOES, "bullpen.worker.name", echoesWorker)).run()) {
            for (int i = 0; i < 10; i++) {
                assertThat(adds.get(i).get(WAIT, Integer.class)).isEqualTo(i + 1);
                assertThat(echoes.get(i).get(WAIT).path("args").path(0).asInt()).isEqualTo(i);
            }
        }

        assertThat(adds).allSatisfy(handle -> {
            assertThat(handle.result().meta().worker()).isEqualTo(addsWorker);
            assertThat(handle.result().meta().queue()).isEqualTo(ADDS);
        });
        assertThat(echoes).allSatisfy(handle -> {
            assertThat(handle.result().meta().worker()).isEqualTo(echoesWorker);
            assertThat(handle.result().meta().queue()).isEqualTo(ECHOES);
        });
    }
}
