package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Time limits on the real broker and Redis, with one task at a time: the soft limit interrupts a
 * task, which may catch {@link SoftTimeLimitExceeded} or fail with it; the hard limit fails the task
 * with TimeLimitExceeded and frees the slot even when the task ignores interrupts, and the late
 * result of such a task is dropped; a call's {@code timelimit} header wins over the annotation.
 */
@SpringBootTest(classes = {WorkerApplication.class, TimeLimitIntegrationTests.Config.class}, properties = "server.port=0")
class TimeLimitIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("limits");
    static final Duration WAIT = Duration.ofSeconds(30);

    static final CountDownLatch releaseStubborn = new CountDownLatch(1);
    static final Set<String> finished = ConcurrentHashMap.newKeySet();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.worker.concurrency", () -> "1");
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @AfterAll
    static void releaseZombies() {
        releaseStubborn.countDown();
    }

    @Autowired
    TaskClient client;

    @Autowired
    ResultBackend results;

    @Test
    void aTaskThatCatchesItsSoftTimeLimitStillReturnsAValue() {
        TaskHandle handle = client.send("test.soft.caught", List.of());

        assertThat(handle.get(WAIT, String.class)).isEqualTo("cleaned up after PT1S");
    }

    @Test
    void anUncaughtSoftTimeLimitIsAFailureCeleryKnows() {
        TaskHandle handle = client.send("test.soft.uncaught", List.of());

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.state()).isEqualTo(TaskState.FAILURE);
            assertThat(ex.remoteType()).isEqualTo("SoftTimeLimitExceeded");
            assertThat(ex.error().module()).isEqualTo("celery.exceptions");
            assertThat(ex.remoteMessage()).isEqualTo("soft time limit (1s) exceeded");
            assertThat(ex.remoteTraceback()).contains("InterruptedException");
        });
    }

    @Test
    void aComputingTaskChecksItsSoftTimeLimit() {
        TaskHandle handle = client.send("test.soft.computing", List.of());

        assertThat(handle.get(WAIT, String.class)).isEqualTo("stopped computing");
    }

    @Test
    void theHardLimitFailsATaskThatIgnoresInterruptsFreesItsSlotAndDropsItsLateResult() {
        TaskHandle stubborn = client.send("test.stubborn", List.of());

        assertThatThrownBy(() -> stubborn.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.state()).isEqualTo(TaskState.FAILURE);
            assertThat(ex.remoteType()).isEqualTo("TimeLimitExceeded");
            assertThat(ex.error().module()).isEqualTo("celery.exceptions");
            assertThat(ex.remoteMessage()).isEqualTo("1.0");
        });
        // The zombie still runs, yet the only slot takes the next task.
        assertThat(client.send("demo.add", List.of(2, 3)).get(WAIT, Integer.class)).isEqualTo(5);
        assertThat(finished).doesNotContain(stubborn.id());

        releaseStubborn.countDown();
        await().atMost(WAIT).until(() -> finished.contains(stubborn.id()));
        // The zombie's return value went nowhere: the stored outcome stands.
        TaskResult stored = results.get(stubborn.id());
        assertThat(stored.state()).isEqualTo(TaskState.FAILURE);
        assertThat(stored.error()).get().satisfies(error -> assertThat(error.type()).isEqualTo("TimeLimitExceeded"));
    }

    @Test
    void aCallsTimeLimitHeaderWinsOverTheAnnotation() {
        // The annotation says 60 s, longer than this test waits; the call says 1 s.
        TaskHandle hard = client.send("test.patient", List.of(), Map.of(),
                TaskOptions.defaults().timeLimit(Duration.ofSeconds(1)));
        TaskHandle soft = client.send("test.patient", List.of(), Map.of(),
                TaskOptions.defaults().softTimeLimit(Duration.ofMillis(500)));

        assertThatThrownBy(() -> hard.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.remoteType()).isEqualTo("TimeLimitExceeded");
            assertThat(ex.remoteMessage()).isEqualTo("1.0");
        });
        assertThatThrownBy(() -> soft.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.remoteType()).isEqualTo("SoftTimeLimitExceeded");
            assertThat(ex.remoteMessage()).isEqualTo("soft time limit (0.5s) exceeded");
        });
    }

    @Test
    void aTaskWithinItsLimitsSucceeds() {
        TaskHandle handle = client.send("test.quick", List.of());

        assertThat(handle.get(WAIT, String.class)).isEqualTo("quick");
    }

    @TestConfiguration
    static class Config {

        @Bean
        LimitedTasks limitedTasks() {
            return new LimitedTasks();
        }
    }

    static class LimitedTasks {

        @Task(value = "test.soft.caught", softTimeLimit = "1s")
        String caught(TaskContext context) throws Exception {
            try {
                return context.withinSoftTimeLimit(() -> {
                    Thread.sleep(Duration.ofMinutes(2));
                    return "slept in full";
                });
            } catch (SoftTimeLimitExceeded ex) {
                Thread.sleep(10); // cleaning up may block again: the interrupt was cleared
                return "cleaned up after " + ex.limit();
            }
        }

        @Task(value = "test.soft.uncaught", softTimeLimit = "1")
        String uncaught() throws InterruptedException {
            Thread.sleep(Duration.ofMinutes(2));
            return "slept in full";
        }

        @Task(value = "test.soft.computing", softTimeLimit = "1s")
        String computing(TaskContext context) {
            try {
                while (true) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a stand-in for a slice of work
                    context.checkSoftTimeLimit();
                }
            } catch (SoftTimeLimitExceeded ex) {
                return "stopped computing";
            }
        }

        @Task(value = "test.stubborn", timeLimit = "1s")
        String stubborn(TaskContext context) {
            boolean released = false;
            while (!released) {
                try {
                    released = releaseStubborn.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException ignored) {
                    // Deliberately deaf to interrupts.
                }
            }
            finished.add(context.id());
            return "too late";
        }

        @Task(value = "test.patient", timeLimit = "60s", softTimeLimit = "60s")
        String patient() throws InterruptedException {
            Thread.sleep(Duration.ofMinutes(2));
            return "slept in full";
        }

        @Task(value = "test.quick", timeLimit = "10s", softTimeLimit = "5s")
        String quick() {
            return "quick";
        }
    }
}
