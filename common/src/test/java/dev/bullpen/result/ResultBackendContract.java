package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bullpen.protocol.CeleryJson;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * What every {@link ResultBackend} must do. Extend it and say how to make a backend:
 *
 * <pre>{@code
 * class MyBackendIntegrationTests extends ResultBackendContract {
 *     @Override
 *     protected ResultBackend createBackend() { return new MyBackend(...); }
 * }
 * }</pre>
 *
 * A fresh backend is made before and closed after each test; task ids are random UUIDs.
 */
public abstract class ResultBackendContract {

    /** How long a result may take to reach a waiter: a bound against hanging, not a speed test. */
    protected static final Duration WAKE_UP = Duration.ofSeconds(10);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    protected ResultBackend backend;

    /** A new backend for one test. */
    protected abstract ResultBackend createBackend();

    /** A new backend that stores results of at most {@code maxBytes}, encoded; the test closes it. */
    protected abstract ResultBackend createBackend(long maxBytes);

    @BeforeEach
    void openBackend() {
        backend = createBackend();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    protected static String newTaskId() {
        return UUID.randomUUID().toString();
    }

    protected static ResultMeta meta(String task) {
        return new ResultMeta(task, NODES.arrayNode().add(2).add(3), NODES.objectNode(), "worker@test", 0, "celery",
                null, null);
    }

    protected static TaskResult success(String id, int value) {
        return TaskResult.success(id, NODES.numberNode(value), meta("t.add"));
    }

    protected static TaskResult failure(String id, String message) {
        return TaskResult.failure(id, TaskState.FAILURE,
                new RemoteError("ValueError", "builtins", List.of(NODES.stringNode(message)), "Traceback...\n"),
                meta("t.fail"));
    }

    protected static TaskResult started(String id) {
        JsonNode info = NODES.objectNode().put("pid", 42).put("hostname", "worker@test");
        return new TaskResult(id, TaskState.STARTED, info, null, null, meta("t.slow"));
    }

    protected static TaskResult retry(String id) {
        return TaskResult.failure(id, TaskState.RETRY,
                new RemoteError("OSError", "builtins", List.of(NODES.stringNode("transient")), "Traceback...\n"),
                meta("t.retry"));
    }

    /** Dates travel as UTC with microseconds (Python's datetime): compare what every backend can keep. */
    protected static TaskResult normalised(TaskResult r) {
        OffsetDateTime done = r.dateDone() == null ? null
                : r.dateDone().withOffsetSameInstant(ZoneOffset.UTC).withNano(r.dateDone().getNano() / 1000 * 1000);
        return new TaskResult(r.taskId(), r.state(), r.result(), r.traceback(), done, r.meta(), r.children());
    }

    // --- reading and writing ---

    @Test
    void aResultOverTheLimitIsRefusedWholeAndOneWithinItIsStored() {
        try (ResultBackend limited = createBackend(4096)) {
            String large = newTaskId();
            String small = newTaskId();

            assertThatThrownBy(() -> limited.store(TaskResult.success(large, NODES.stringNode("\u00e9".repeat(2100)), meta("t"))))
                    .isInstanceOfSatisfying(ResultTooLargeException.class, ex -> {
                        assertThat(ex.limit()).isEqualTo(4096);
                        assertThat(ex.size()).as("UTF-8 bytes, not chars").isGreaterThan(4200);
                        assertThat(ex.getMessage()).contains(large, "over the 4096 bytes");
                    });
            assertThat(limited.store(TaskResult.success(small, NODES.stringNode("x".repeat(3000)), meta("t")))).isTrue();

            assertThat(limited.get(large).state()).isEqualTo(TaskState.PENDING);
            assertThat(limited.get(small).result().asString()).hasSize(3000);
        }
    }

    @Test
    void anUnknownIdIsPending() {
        String id = newTaskId();

        TaskResult result = backend.get(id);

        assertThat(result.state()).isEqualTo(TaskState.PENDING);
        assertThat(result.taskId()).isEqualTo(id);
        assertThat(result.result().isNull()).isTrue();
    }

    @Test
    void aSuccessRoundTrips() {
        TaskResult stored = success(newTaskId(), 5);

        assertThat(backend.store(stored)).isTrue();

        assertThat(normalised(backend.get(stored.taskId()))).isEqualTo(normalised(stored));
    }

    @Test
    void aFailureRoundTrips() {
        TaskResult stored = failure(newTaskId(), "bad thing");

        assertThat(backend.store(stored)).isTrue();

        TaskResult read = backend.get(stored.taskId());
        assertThat(normalised(read)).isEqualTo(normalised(stored));
        assertThat(read.error()).hasValueSatisfying(e -> {
            assertThat(e.type()).isEqualTo("ValueError");
            assertThat(e.message()).isEqualTo("bad thing");
            assertThat(e.traceback()).isEqualTo("Traceback...\n");
        });
    }

    @Test
    void childrenAndExtendedFieldsRoundTrip() {
        String id = newTaskId();
        JsonNode children = CeleryJson.mapper().readTree("[[[\"" + id + "\", null], null]]");
        TaskResult stored = retry(id).withChildren(children);

        backend.store(stored);

        assertThat(backend.get(id).children()).isEqualTo(children);
        assertThat(backend.get(id).meta()).isEqualTo(meta("t.retry"));
    }

    @Test
    void aSuccessIsNeverOverwritten() {
        String id = newTaskId();
        TaskResult first = success(id, 1);
        backend.store(first);

        assertThat(backend.store(failure(id, "late duplicate"))).isFalse();
        assertThat(backend.store(started(id))).isFalse();
        assertThat(backend.store(retry(id))).isFalse();
        assertThat(backend.store(success(id, 2))).isFalse();

        assertThat(normalised(backend.get(id))).isEqualTo(normalised(first));
    }

    @Test
    void onlySuccessIsFinal() {
        String id = newTaskId();
        backend.store(started(id));
        assertThat(backend.store(failure(id, "first try"))).isTrue();

        assertThat(backend.store(success(id, 3))).isTrue();

        assertThat(backend.get(id).state()).isEqualTo(TaskState.SUCCESS);
    }

    /** A result in any state, told apart from another in the same state by {@code n}. */
    protected static TaskResult inState(String id, TaskState state, int n) {
        if (state == TaskState.SUCCESS) {
            return success(id, n);
        }
        if (state.isReady() || state == TaskState.RETRY) {
            return TaskResult.failure(id, state, new RemoteError("ValueError", "builtins",
                    List.of(NODES.numberNode(n)), "Traceback...\n"), meta("t.any"));
        }
        return new TaskResult(id, state, NODES.objectNode().put("n", n), null, null, meta("t.any"));
    }

    static Stream<Arguments> everyPairOfStates() {
        return Stream.of(TaskState.values())
                .flatMap(stored -> Stream.of(TaskState.values()).map(next -> Arguments.of(stored, next)));
    }

    @ParameterizedTest(name = "{0} then {1}")
    @MethodSource("everyPairOfStates")
    void aWriteReplacesTheStoredStateOnlyWhereTheTransitionTableAllowsIt(TaskState stored, TaskState next) {
        String id = newTaskId();
        TaskResult first = inState(id, stored, 1);
        TaskResult second = inState(id, next, 2);
        assertThat(backend.store(first)).as("a first write is always taken").isTrue();

        boolean allowed = stored.canMoveTo(next);

        assertThat(backend.store(second)).as("store answers whether it wrote").isEqualTo(allowed);
        assertThat(normalised(backend.get(id))).isEqualTo(normalised(allowed ? second : first));
    }

    @Test
    void aReadyStateIsNotReplacedByALateStateOnTheWay() {
        String failed = newTaskId();
        String revoked = newTaskId();
        backend.store(failure(failed, "first run"));
        backend.store(inState(revoked, TaskState.REVOKED, 1));

        assertThat(backend.store(started(failed))).isFalse();
        assertThat(backend.store(retry(failed))).isFalse();
        assertThat(backend.store(started(revoked))).isFalse();
        assertThat(backend.store(retry(revoked))).isFalse();

        assertThat(backend.get(failed).state()).isEqualTo(TaskState.FAILURE);
        assertThat(backend.get(revoked).state()).isEqualTo(TaskState.REVOKED);
        assertThat(backend.whenReady(failed)).succeedsWithin(WAKE_UP)
                .satisfies(r -> assertThat(r.state()).isEqualTo(TaskState.FAILURE));
    }

    @Test
    void statesThatAreNotReadyAreStoredAndReadable() {
        String started = newTaskId();
        String retrying = newTaskId();

        assertThat(backend.store(started(started))).isTrue();
        assertThat(backend.store(retry(retrying))).isTrue();

        assertThat(backend.get(started)).isEqualTo(started(started));
        assertThat(backend.get(started).dateDone()).isNull();
        assertThat(backend.get(retrying).state()).isEqualTo(TaskState.RETRY);
        assertThat(backend.get(retrying).error()).hasValueSatisfying(e -> assertThat(e.type()).isEqualTo("OSError"));
    }

    @Test
    void forgetMakesItPendingAgain() {
        String id = newTaskId();
        backend.store(success(id, 1));

        backend.forget(id);

        assertThat(backend.get(id).state()).isEqualTo(TaskState.PENDING);
        assertThat(backend.store(failure(id, "after forget"))).isTrue();
    }

    @Test
    void forgettingAnUnknownIdIsFine() {
        backend.forget(newTaskId());
    }

    // --- waiting ---

    @Test
    void whenReadyCompletesWhenTheResultArrivesLater() {
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);
        assertThat(ready).isNotDone();

        backend.store(success(id, 7));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> {
            assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(r.result()).isEqualTo(NODES.numberNode(7));
        });
    }

    @Test
    void whenReadyCompletesOnFailure() {
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);

        backend.store(failure(id, "boom"));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.state()).isEqualTo(TaskState.FAILURE));
    }

    @Test
    void whenReadyCompletesAtOnceWhenAlreadyReady() {
        String id = newTaskId();
        backend.store(success(id, 8));

        assertThat(backend.whenReady(id)).succeedsWithin(WAKE_UP)
                .satisfies(r -> assertThat(r.result()).isEqualTo(NODES.numberNode(8)));
    }

    @Test
    void whenReadyDoesNotCompleteOnStartedOrRetry() {
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);

        backend.store(started(id));
        backend.store(retry(id));
        assertThat(ready).isNotDone();
        backend.store(success(id, 9));

        // A future completes once: had STARTED or RETRY woken it, that is what it would hold.
        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.state()).isEqualTo(TaskState.SUCCESS));
    }

    @Test
    void whenReadyIgnoresANotReadyStateStoredBefore() {
        String id = newTaskId();
        backend.store(started(id));

        CompletableFuture<TaskResult> ready = backend.whenReady(id);
        backend.store(success(id, 10));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.state()).isEqualTo(TaskState.SUCCESS));
    }

    @Test
    void twoWaitersOnOneIdBothComplete() {
        String id = newTaskId();
        CompletableFuture<TaskResult> first = backend.whenReady(id);
        CompletableFuture<TaskResult> second = backend.whenReady(id);

        backend.store(success(id, 11));

        assertThat(first).succeedsWithin(WAKE_UP);
        assertThat(second).succeedsWithin(WAKE_UP);
    }

    @Test
    void cancellingOneWaiterDoesNotCancelAnother() {
        String id = newTaskId();
        CompletableFuture<TaskResult> cancelled = backend.whenReady(id);
        CompletableFuture<TaskResult> waiting = backend.whenReady(id);

        cancelled.cancel(true);
        backend.store(success(id, 12));

        assertThat(waiting).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.result()).isEqualTo(NODES.numberNode(12)));
        assertThat(cancelled).isCancelled();
    }

    @Test
    void aWaiterAfterACancelledOneStillCompletes() {
        String id = newTaskId();
        backend.whenReady(id).cancel(true);

        CompletableFuture<TaskResult> waiting = backend.whenReady(id);
        backend.store(success(id, 13));

        assertThat(waiting).succeedsWithin(WAKE_UP);
    }

    @Test
    void aResultWakesOnlyTheWaitersOfItsOwnId() {
        String mine = newTaskId();
        String other = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(mine);
        CompletableFuture<TaskResult> otherReady = backend.whenReady(other);

        backend.store(success(other, 1));
        assertThat(otherReady).succeedsWithin(WAKE_UP);
        assertThat(ready).isNotDone();
        backend.store(success(mine, 2));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.taskId()).isEqualTo(mine));
    }

    @Test
    void aWaiterForAForgottenTaskWaitsForItsNextResult() {
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);

        backend.forget(id);
        backend.store(success(id, 14));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.result()).isEqualTo(NODES.numberNode(14)));
    }

    @Test
    void anExpectedTaskIsWaitedForLikeAnyOther() {
        String later = newTaskId();
        String before = newTaskId();
        backend.expect(later);
        backend.expect(before);
        CompletableFuture<TaskResult> laterReady = backend.whenReady(later);

        backend.store(success(before, 1));
        backend.store(success(later, 2));

        assertThat(laterReady).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.result()).isEqualTo(NODES.numberNode(2)));
        assertThat(backend.whenReady(before)).succeedsWithin(WAKE_UP)
                .satisfies(r -> assertThat(r.result()).isEqualTo(NODES.numberNode(1)));
    }

    @Test
    void aCallbackOnAReadyResultMayUseTheBackend() {
        // Waiters must not be woken on a thread where blocking on the backend deadlocks (an I/O loop).
        String id = newTaskId();
        String next = newTaskId();
        backend.store(success(next, 15));
        CompletableFuture<TaskState> chained = backend.whenReady(id)
                .thenApply(r -> backend.get(next).state())
                .thenCompose(s -> backend.whenReady(next))
                .thenApply(r -> {
                    backend.store(success(newTaskId(), 16));
                    return r.state();
                });

        backend.store(success(id, 17));

        assertThat(chained).succeedsWithin(WAKE_UP).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void manyWaitersOnManyIdsAllComplete() {
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<TaskResult>> waiters = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = newTaskId();
            ids.add(id);
            waiters.add(backend.whenReady(id));
        }

        for (int i = 0; i < ids.size(); i++) {
            backend.store(success(ids.get(i), i));
        }

        await().atMost(WAKE_UP).until(() -> waiters.stream().allMatch(CompletableFuture::isDone));
        for (int i = 0; i < ids.size(); i++) {
            assertThat(waiters.get(i).join().result()).isEqualTo(NODES.numberNode(i));
        }
    }

    @Test
    void aSavedGroupReadsBackInOrder() {
        String group = newTaskId();
        List<String> members = List.of(newTaskId(), newTaskId(), newTaskId());
        backend.saveGroup(group, members);
        assertThat(backend.group(group)).contains(members);
        assertThat(backend.group(newTaskId())).isEmpty();
    }

    @Test
    void getAllAnswersInTheOrderAsked() {
        String a = newTaskId();
        String b = newTaskId();
        backend.store(success(b, 2));
        assertThat(backend.getAll(List.of(a, b))).extracting(TaskResult::state)
                .containsExactly(TaskState.PENDING, TaskState.SUCCESS);
    }

    @Test
    void aChordCompletesOnceWithItsResultsInHeaderOrder() {
        String group = newTaskId();
        backend.setChordSize(group, 3);
        assertThat(backend.chordPartReturn(group, 2, new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(30)), 0)
                .complete()).isNull();
        assertThat(backend.chordPartReturn(group, 0, new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(10)), 0)
                .complete()).isNull();
        ChordProgress last = backend.chordPartReturn(group, 1,
                new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(20)), 0);
        assertThat(last.complete()).extracting(e -> e.result().asInt()).containsExactly(10, 20, 30);
        assertThat(last.firstFailure()).isFalse();
        backend.forgetChord(group);
        assertThat(backend.chordPartReturn(group, 1, new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(20)), 0)
                .complete()).as("forgotten: its size too").isNull();
    }

    @Test
    void aHeaderTaskRunAgainBeforeTheBodyIsSentCompletesTheChordAgain() {
        String group = newTaskId();
        backend.setChordSize(group, 1);
        ChordEntry only = new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(1));
        assertThat(backend.chordPartReturn(group, 0, only, 0).complete()).hasSize(1);
        assertThat(backend.chordPartReturn(group, 0, only, 0).complete()).as("the same entry, once").hasSize(1);
    }

    @Test
    void theFirstFailedHeaderTaskIsToldSoAndTheOneCompletingTheHeaderKnows() {
        String group = newTaskId();
        backend.setChordSize(group, 3);
        String failed = newTaskId();
        JsonNode error = failure(failed, "no").result();
        ChordProgress first = backend.chordPartReturn(group, 0, new ChordEntry(failed, TaskState.FAILURE, error), 0);
        assertThat(first.firstFailure()).isTrue();
        assertThat(first.complete()).isNull();
        ChordProgress second = backend.chordPartReturn(group, 1, new ChordEntry(newTaskId(), TaskState.REVOKED, error), 0);
        assertThat(second.firstFailure()).isFalse();
        ChordProgress last = backend.chordPartReturn(group, 2,
                new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(1)), 0);
        assertThat(last.failureHandled()).isTrue();
        assertThat(last.complete()).hasSize(3);
        assertThat(last.complete().getFirst().failed()).isTrue();
        assertThat(last.complete().getFirst().result().path("exc_type").asString()).isEqualTo("ValueError");
    }

    @Test
    void aChordWithoutARecordedSizeUsesTheHint() {
        String group = newTaskId();
        assertThat(backend.chordPartReturn(group, 0, new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(1)), 0)
                .complete()).as("no size, no hint: Celery waits").isNull();
        assertThat(backend.chordPartReturn(group, 1, new ChordEntry(newTaskId(), TaskState.SUCCESS, NODES.numberNode(2)), 2)
                .complete()).hasSize(2);
    }
}
