package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.client.TaskClient;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.demo.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
 * A message is acknowledged only once its result is stored: when the store fails, the message goes
 * back to the broker and the task runs again, so the result is never lost.
 */
@SpringBootTest(classes = {WorkerApplication.class, AckAfterStoreIntegrationTests.FlakyStore.class},
        properties = "server.port=0")
class AckAfterStoreIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("tasks");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @Autowired
    TaskClient client;

    @Autowired
    FlakyBackend backend;

    @Test
    void aResultThatCannotBeStoredLeavesTheMessageForRedelivery() {
        backend.failNextStores.set(2);

        var handle = client.send("demo.add", List.of(20, 22));

        assertThat(handle.get(Duration.ofSeconds(30), Integer.class)).isEqualTo(42);
        assertThat(backend.attempts.get()).as("two failed stores, then the redelivered task stored its result")
                .isEqualTo(3);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
    }

    /** The real Redis backend, made to fail its next few writes as if Redis were briefly unreachable. */
    static final class FlakyBackend implements ResultBackend {

        final RedisResultBackend delegate;
        final AtomicInteger failNextStores = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();

        FlakyBackend(RedisResultBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean store(TaskResult result) {
            attempts.incrementAndGet();
            if (failNextStores.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("Redis is unreachable (injected)");
            }
            return delegate.store(result);
        }

        @Override
        public TaskResult get(String taskId) {
            return delegate.get(taskId);
        }

        @Override
        public CompletableFuture<TaskResult> whenReady(String taskId) {
            return delegate.whenReady(taskId);
        }

        @Override
        public void forget(String taskId) {
            delegate.forget(taskId);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @TestConfiguration
    static class FlakyStore {

        @Bean
        @Primary
        FlakyBackend flakyBackend(LettuceConnectionFactory redis) {
            return new FlakyBackend(new RedisResultBackend(redis, services.redisPrefix(), Duration.ofMinutes(5)));
        }
    }
}
