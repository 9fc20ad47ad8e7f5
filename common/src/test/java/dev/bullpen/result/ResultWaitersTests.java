package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.IntNode;

class ResultWaitersTests {

    private static TaskResult success(String id) {
        return TaskResult.success(id, IntNode.valueOf(1), ResultMeta.NONE);
    }

    @Test
    void aTaskNeverExpectedMustBeRead() {
        ResultWaiters waiters = new ResultWaiters(10, Duration.ofMinutes(1));

        assertThat(waiters.await("a", new CompletableFuture<>()).mustRead()).isTrue();
    }

    @Test
    void anExpectedTaskNeedNotBeRead() {
        ResultWaiters waiters = new ResultWaiters(10, Duration.ofMinutes(1));
        waiters.expect("a");

        assertThat(waiters.await("a", new CompletableFuture<>()).mustRead()).isFalse();
        assertThat(waiters.unclaimed()).isZero();
        assertThat(waiters.waitingTasks()).isEqualTo(1);
    }

    @Test
    void aResultBeforeTheWaitIsHandedToIt() {
        ResultWaiters waiters = new ResultWaiters(10, Duration.ofMinutes(1));
        waiters.expect("a");

        assertThat(waiters.arrived("a", success("a"))).isEmpty();
        ResultWaiters.Await await = waiters.await("a", new CompletableFuture<>());

        assertThat(await.early()).isNotNull();
        assertThat(waiters.ids()).isEmpty();
    }

    @Test
    void aResultWakesTheWaitersAndLetsThemGo() {
        ResultWaiters waiters = new ResultWaiters(10, Duration.ofMinutes(1));
        waiters.expect("a");
        CompletableFuture<TaskResult> first = new CompletableFuture<>();
        CompletableFuture<TaskResult> second = new CompletableFuture<>();
        waiters.await("a", first);
        waiters.await("a", second);

        assertThat(waiters.arrived("a", success("a"))).containsExactly(first, second);
        assertThat(waiters.ids()).isEmpty();
    }

    @Test
    void theOldestUnclaimedExpectationsAreDroppedPastTheLimit() {
        ResultWaiters waiters = new ResultWaiters(2, Duration.ofMinutes(1));
        waiters.expect("a");
        waiters.expect("b");
        waiters.expect("c");

        assertThat(waiters.unclaimed()).isEqualTo(2);
        assertThat(waiters.await("a", new CompletableFuture<>()).mustRead()).isTrue();
        assertThat(waiters.await("c", new CompletableFuture<>()).mustRead()).isFalse();
    }

    @Test
    void claimedExpectationsDoNotCountAgainstTheLimit() {
        ResultWaiters waiters = new ResultWaiters(1, Duration.ofMinutes(1));
        waiters.expect("a");
        waiters.await("a", new CompletableFuture<>());
        waiters.expect("b");

        assertThat(waiters.await("b", new CompletableFuture<>()).mustRead()).isFalse();
        assertThat(waiters.waitingTasks()).isEqualTo(2);
    }

    @Test
    void expectationsOlderThanTheirTimeToLiveAreDropped() throws Exception {
        ResultWaiters waiters = new ResultWaiters(10, Duration.ofNanos(1));
        waiters.expect("a");
        waiters.arrived("a", success("a"));
        long start = System.nanoTime();
        while (System.nanoTime() - start < 1_000) {
            Thread.onSpinWait(); // past the one-nanosecond life, with no clock to wait on
        }
        waiters.expect("b");

        ResultWaiters.Await late = waiters.await("a", new CompletableFuture<>());
        assertThat(late.early()).isNull();
        assertThat(late.mustRead()).isTrue();
    }

    @Test
    void aRemovedFutureLetsItsEntryGo() {
        ResultWaiters waiters = new ResultWaiters(10, Duration.ofMinutes(1));
        waiters.expect("a");
        CompletableFuture<TaskResult> future = new CompletableFuture<>();
        waiters.await("a", future);

        waiters.remove("a", future);

        assertThat(waiters.ids()).isEmpty();
        assertThat(waiters.unclaimed()).isZero();
    }

    @Test
    void clearingHandsBackEveryWaitingFuture() {
        ResultWaiters waiters = new ResultWaiters(10, Duration.ofMinutes(1));
        waiters.expect("a");
        CompletableFuture<TaskResult> future = new CompletableFuture<>();
        waiters.await("b", future);

        assertThat(waiters.clear()).containsExactly(future);
        assertThat(waiters.ids()).isEmpty();
        assertThat(waiters.unclaimed()).isZero();
    }
}
