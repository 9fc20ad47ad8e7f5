package dev.bullpen.worker.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.InMemoryResultBackend;
import dev.bullpen.result.ResultMeta;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.ForwardingResultBackend;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A result write that fails is retried with the result in hand; past the timeout, or once given up, the message goes back. */
class ResultWriterTests {

    static final TaskResult RESULT = TaskResult.success("id-1", CeleryJson.mapper().getNodeFactory().numberNode(42),
            ResultMeta.NONE);

    final FailingBackend backend = new FailingBackend();

    @Test
    void aWriteThatFailsForAWhileIsRetriedUntilItIsStored() {
        backend.failures.set(3);
        ResultWriter writer = new ResultWriter(backend, Duration.ofSeconds(30), ResultWriter.backOff(Duration.ofMillis(5),
                Duration.ofMillis(20)));

        assertThat(writer.store(RESULT)).isTrue();

        assertThat(backend.attempts).hasValue(4);
        assertThat(backend.get("id-1").state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void aWriteThatWorksIsTriedOnce() {
        ResultWriter writer = new ResultWriter(backend, Duration.ofSeconds(30));

        assertThat(writer.store(RESULT)).isTrue();

        assertThat(backend.attempts).hasValue(1);
    }

    @Test
    void aWriteThatKeepsFailingHandsTheMessageBackOnceTheRetryTimeoutHasPassed() {
        backend.failures.set(Integer.MAX_VALUE);
        ResultWriter writer = new ResultWriter(backend, Duration.ofMillis(300), ResultWriter.backOff(Duration.ofMillis(5),
                Duration.ofMillis(20)));

        assertThatThrownBy(() -> writer.store(RESULT)).isInstanceOf(HandBack.class)
                .hasMessageContaining("could not be stored within PT0.3S").hasRootCauseMessage("Redis is unreachable (injected)");

        assertThat(backend.attempts.get()).as("retried, not given up after one try").isGreaterThan(2);
        assertThat(backend.get("id-1").state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void aStoppingWorkerStopsTheRetriesAtOnce() {
        backend.failures.set(Integer.MAX_VALUE);
        ResultWriter writer = new ResultWriter(backend, Duration.ofMinutes(10), ResultWriter.backOff(Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
        CompletableFuture<Boolean> store = CompletableFuture.supplyAsync(() -> writer.store(RESULT));
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.attempts.get() >= 1);

        writer.giveUp();

        await().atMost(Duration.ofSeconds(10)).until(store::isDone);
        assertThat(store).isCompletedExceptionally();
        assertThatThrownBy(store::join).hasCauseInstanceOf(HandBack.class).hasMessageContaining("the worker stopped");
        assertThat(backend.attempts).as("no write after giving up").hasValue(1);
    }

    /** An in-memory backend whose next writes fail, as when Redis cannot be reached. */
    static final class FailingBackend extends ForwardingResultBackend {

        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();

        FailingBackend() {
            super(new InMemoryResultBackend());
        }

        @Override
        public boolean store(TaskResult result) {
            attempts.incrementAndGet();
            if (failures.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("Redis is unreachable (injected)");
            }
            return super.store(result);
        }
    }
}
