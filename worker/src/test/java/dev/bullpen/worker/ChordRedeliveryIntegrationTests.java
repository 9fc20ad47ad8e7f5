package dev.bullpen.worker;

import static dev.bullpen.client.Workflow.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.Workflow;
import dev.bullpen.result.ChordEntry;
import dev.bullpen.result.ChordProgress;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ForwardingResultBackend;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The header task that completes a chord fails before it sends the body, as a worker dying there
 * would: its message goes back unacknowledged, the task runs again, completes the chord again (the
 * keys are still there) and the body is sent. Celery, deleting the keys first, would lose it.
 */
@SpringBootTest(classes = {WorkerApplication.class, ChordRedeliveryIntegrationTests.Interrupted.class},
        properties = "server.port=0")
class ChordRedeliveryIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("chords");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @Autowired
    TaskClient client;

    @Autowired
    StopsOnceChordsComplete backend;

    @Test
    void theBodyIsSentWhenTheCompletingHeaderTaskRunsAgain() {
        TaskHandle body = client.apply(Workflow.chord(List.of(task("demo.add", 1, 1), task("demo.add", 2, 2)),
                task("demo.tsum")));

        assertThat(body.get(Duration.ofSeconds(30), Integer.class)).isEqualTo(6);
        assertThat(backend.stops.get()).as("the completing header task was stopped once").isEqualTo(1);
    }

    /** The real Redis backend; the first time a header result completes a chord, it throws after recording it. */
    static final class StopsOnceChordsComplete extends ForwardingResultBackend {

        final AtomicInteger stops = new AtomicInteger();

        StopsOnceChordsComplete(RedisResultBackend delegate) {
            super(delegate);
        }

        @Override
        public ChordProgress chordPartReturn(String groupId, @Nullable Integer groupIndex, ChordEntry entry, int sizeHint) {
            ChordProgress progress = delegate.chordPartReturn(groupId, groupIndex, entry, sizeHint);
            if (progress.complete() != null && stops.compareAndSet(0, 1)) {
                throw new IllegalStateException("the worker stopped before sending the body (injected)");
            }
            return progress;
        }
    }

    @TestConfiguration
    static class Interrupted {

        @Bean
        @Primary
        StopsOnceChordsComplete stopsOnceChordsComplete(LettuceConnectionFactory redis) {
            return new StopsOnceChordsComplete(new RedisResultBackend(redis, services.redisPrefix(), Duration.ofMinutes(5)));
        }
    }
}
