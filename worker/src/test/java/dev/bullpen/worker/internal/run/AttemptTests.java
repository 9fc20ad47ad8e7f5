package dev.bullpen.worker.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.worker.SoftTimeLimitExceeded;
import dev.bullpen.worker.TaskContext;
import dev.bullpen.worker.internal.limits.TimeLimits;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who wins between a task finishing and a stop, and what each side then sees; no broker needed. */
class AttemptTests {

    static final Duration WAIT = Duration.ofSeconds(10);
    final Tasks tasks = new Tasks();
    final AtomicBoolean interruptLeftBehind = new AtomicBoolean();

    static class Tasks {

        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        String quick() {
            return "done";
        }

        String sleepy() throws InterruptedException {
            started.countDown();
            Thread.sleep(Duration.ofMinutes(2));
            return "slept";
        }

        String deaf() {
            started.countDown();
            while (true) {
                try {
                    if (release.await(1, TimeUnit.MINUTES)) {
                        return "too late";
                    }
                } catch (InterruptedException ignored) {
                    // Deliberately deaf to interrupts.
                }
            }
        }
    }

    @AfterEach
    void releaseDeafTasks() {
        tasks.release.countDown();
    }

    @Test
    void aFinishedRunCannotBeStoppedAfterwards() throws Throwable {
        Attempt attempt = new Attempt("id", TimeLimits.NONE);

        assertThat(attempt.invoke(method("quick"), context(attempt))).isEqualTo("done");
        assertThat(attempt.stop(AttemptStopped.Reason.TERMINATED)).isFalse();
    }

    @Test
    void aRunStoppedBeforeItsTaskStartsNeverStartsIt() {
        Attempt inline = new Attempt("id", TimeLimits.NONE);
        Attempt hopped = new Attempt("id", new TimeLimits(Duration.ofMinutes(5), null));
        inline.stop(AttemptStopped.Reason.TERMINATED);
        hopped.stop(AttemptStopped.Reason.TERMINATED);

        assertThatThrownBy(() -> inline.invoke(method("sleepy"), context(inline))).isInstanceOf(AttemptStopped.class);
        assertThatThrownBy(() -> hopped.invoke(method("sleepy"), context(hopped))).isInstanceOf(AttemptStopped.class);
        assertThat(tasks.started.getCount()).as("the task never started").isOne();
    }

    @Test
    void aTerminatedInlineRunEndsStoppedAndLeavesNoInterruptBehind() {
        Attempt attempt = new Attempt("id", TimeLimits.NONE);
        CompletableFuture<Object> run = runAsync(attempt, "sleepy");
        awaitStarted();

        assertThat(attempt.stop(AttemptStopped.Reason.TERMINATED)).isTrue();

        assertThat(run).failsWithin(WAIT).withThrowableThat().havingCause().isInstanceOfSatisfying(AttemptStopped.class,
                stopped -> assertThat(stopped.reason()).isEqualTo(AttemptStopped.Reason.TERMINATED));
        assertThat(interruptLeftBehind).as("the caller may store the outcome without a pending interrupt").isFalse();
    }

    @Test
    void theHardLimitReleasesTheCallerWhileADeafTaskRunsOn() {
        Attempt attempt = new Attempt("id", new TimeLimits(Duration.ofMinutes(5), null));
        CompletableFuture<Object> run = runAsync(attempt, "deaf");
        awaitStarted();

        attempt.stop(AttemptStopped.Reason.HARD_TIME_LIMIT);

        assertThat(run).failsWithin(WAIT).withThrowableThat().havingCause().isInstanceOfSatisfying(AttemptStopped.class,
                stopped -> {
                    assertThat(stopped.reason()).isEqualTo(AttemptStopped.Reason.HARD_TIME_LIMIT);
                    assertThat(stopped.hardLimit()).isEqualTo(Duration.ofMinutes(5));
                });
        assertThat(tasks.release.getCount()).as("the task itself never returned").isOne();
    }

    @Test
    void terminatingADeafTaskWithAHardLimitReleasesTheCallerAtOnce() {
        Attempt attempt = new Attempt("id", new TimeLimits(Duration.ofMinutes(5), null));
        CompletableFuture<Object> run = runAsync(attempt, "deaf");
        awaitStarted();

        attempt.stop(AttemptStopped.Reason.TERMINATED);

        assertThat(run).failsWithin(WAIT).withThrowableThat().havingCause().isInstanceOfSatisfying(AttemptStopped.class,
                stopped -> assertThat(stopped.reason()).isEqualTo(AttemptStopped.Reason.TERMINATED));
        assertThat(tasks.release.getCount()).as("the task itself never returned").isOne();
    }

    @Test
    void theSoftLimitTurnsTheInterruptionIntoSoftTimeLimitExceeded() {
        Attempt attempt = new Attempt("id", new TimeLimits(null, Duration.ofSeconds(3)));
        CompletableFuture<Object> run = runAsync(attempt, "sleepy");
        awaitStarted();

        attempt.softLimitPassed();

        assertThat(run).failsWithin(WAIT).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(SoftTimeLimitExceeded.class, ex -> {
                    assertThat(ex.limit()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(ex).hasMessage("soft time limit (3s) exceeded").hasCauseInstanceOf(InterruptedException.class);
                });
        assertThat(attempt.stop(AttemptStopped.Reason.TERMINATED)).as("it finished, with a failure").isFalse();
    }

    @Test
    void runningTasksTerminatesOnlyWhatRunsHere() {
        try (RunningTasks running = new RunningTasks()) {
            Attempt attempt = running.begin("here", TimeLimits.NONE);

            assertThat(running.terminate("elsewhere")).isFalse();
            assertThat(running.terminate("here")).isTrue();
            assertThat(running.terminate("here")).as("once").isFalse();
            running.end(attempt);
            assertThat(running.size()).isZero();
        }
    }

    @Test
    void runningTasksStopsARunAtItsHardLimit() {
        try (RunningTasks running = new RunningTasks()) {
            Attempt attempt = running.begin("id", new TimeLimits(Duration.ofMillis(200), null));
            CompletableFuture<Object> run = runAsync(attempt, "deaf");

            assertThat(run).failsWithin(WAIT).withThrowableThat().havingCause().isInstanceOf(AttemptStopped.class);
            running.end(attempt);
        }
    }

    private void awaitStarted() {
        try {
            assertThat(tasks.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the task started").isTrue();
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private CompletableFuture<Object> runAsync(Attempt attempt, String method) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Object value = attempt.invoke(method(method), context(attempt));
                interruptLeftBehind.set(Thread.currentThread().isInterrupted());
                result.complete(value);
            } catch (Throwable ex) {
                interruptLeftBehind.set(Thread.currentThread().isInterrupted());
                result.completeExceptionally(ex);
            }
        });
        return result;
    }

    private TaskMethod method(String name) {
        try {
            return new TaskMethod("t." + name, tasks, Tasks.class.getDeclaredMethod(name));
        } catch (NoSuchMethodException ex) {
            throw new AssertionError(ex);
        }
    }

    private static TaskContext context(Attempt attempt) {
        return new Invocation(TaskMessageBuilder.of("t", "id").build(), "q", "w@test", attempt);
    }
}
