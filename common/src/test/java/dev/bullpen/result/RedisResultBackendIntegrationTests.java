package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.Captures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis backend on a real Redis: the contract, and Celery's exact layout on the server. */
class RedisResultBackendIntegrationTests extends ResultBackendContract {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    private static final Duration ONE_DAY = Duration.ofDays(1);

    private StatefulRedisConnection<String, String> raw;
    private RedisCommands<String, String> redis;

    @Override
    protected ResultBackend createBackend() {
        return new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), ONE_DAY);
    }

    @Override
    protected ResultBackend createBackend(long maxBytes) {
        return new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), ONE_DAY, maxBytes);
    }

    private RedisResultBackend redisBackend() {
        return (RedisResultBackend) backend;
    }

    private RedisClient client() {
        return (RedisClient) services.redisConnectionFactory().getRequiredNativeClient();
    }

    @BeforeEach
    void openRawConnection() {
        raw = client().connect(StringCodec.UTF8);
        redis = raw.sync();
    }

    @AfterEach
    void closeRawConnection() {
        raw.close();
    }

    private String key(String id) {
        return services.redisPrefix() + "celery-task-meta-" + id;
    }

    @Test
    void theKeyIsCeleryTaskMetaUnderThePrefix() {
        String id = newTaskId();

        assertThat(redisBackend().key(id)).isEqualTo(key(id));
    }

    @Test
    void theValueIsCeleryJsonWithAnExpiry() {
        String captured = Captures.result("success_extended");
        String id = "54c5e52e-9e50-40ce-a09e-2aae4353a1b0-" + newTaskId();
        TaskResult result = ResultCodec.decode(id, captured.replace("54c5e52e-9e50-40ce-a09e-2aae4353a1b0", id));

        backend.store(result);

        assertThat(redis.get(key(id))).isEqualTo(captured.replace("54c5e52e-9e50-40ce-a09e-2aae4353a1b0", id));
        assertThat(redis.ttl(key(id))).isBetween(ONE_DAY.toSeconds() - 60, ONE_DAY.toSeconds());
    }

    @Test
    void aBackendWithoutExpiryKeepsResults() {
        String id = newTaskId();
        try (var forever = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), Duration.ZERO)) {
            forever.store(success(id, 1));
        }

        assertThat(redis.ttl(key(id))).isEqualTo(-1L);
    }

    @Test
    void aSubSecondExpiryStillExpires() {
        String id = newTaskId();
        try (var shortLived = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(),
                Duration.ofMillis(500))) {
            shortLived.store(success(id, 1));
        }

        assertThat(redis.ttl(key(id))).isEqualTo(1L);
    }

    @Test
    void storingPublishesTheSameJsonOnTheKeysChannel() throws Exception {
        String id = newTaskId();
        BlockingQueue<String[]> messages = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> sub = client().connectPubSub(StringCodec.UTF8)) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    messages.add(new String[] {channel, message});
                }
            });
            sub.sync().subscribe(key(id));

            backend.store(success(id, 5));

            String[] message = messages.poll(WAKE_UP.toSeconds(), TimeUnit.SECONDS);
            assertThat(message).isNotNull();
            assertThat(message[0]).isEqualTo(key(id));
            assertThat(message[1]).isEqualTo(redis.get(key(id)));
        }
    }

    @Test
    void anIgnoredWriteIsNotPublished() throws Exception {
        String id = newTaskId();
        backend.store(success(id, 5));
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> sub = client().connectPubSub(StringCodec.UTF8)) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    messages.add(message);
                }
            });
            sub.sync().subscribe(key(id));

            assertThat(backend.store(failure(id, "duplicate"))).isFalse();
            // Redis delivers in order: the marker arrives after anything the ignored write published.
            redis.publish(key(id), "marker");

            assertThat(messages.poll(WAKE_UP.toSeconds(), TimeUnit.SECONDS)).isEqualTo("marker");
        }
    }

    @Test
    void aResultWrittenByAPythonWorkerWakesAWaiter() {
        // What Celery's Redis backend does: SETEX then PUBLISH on the key's name, in one MULTI.
        String id = newTaskId();
        String json = Captures.result("success_extended");
        CompletableFuture<TaskResult> ready = backend.whenReady(id);

        redis.multi();
        redis.setex(key(id), 60, json);
        redis.publish(key(id), json);
        redis.exec();

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> {
            assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(r.result().intValue()).isEqualTo(5);
            assertThat(r.taskId()).isEqualTo(id);
        });
    }

    @Test
    void aSuccessStoredByPythonCeleryIsNeverOverwritten() {
        // The exact bytes Celery 5.2's Redis backend writes ('{"status": "SUCCESS", ...', json.dumps' separators).
        String id = newTaskId();
        String python = Captures.result("success_extended");
        redis.setex(key(id), 60, python);

        assertThat(backend.store(failure(id, "late duplicate"))).isFalse();
        assertThat(backend.store(started(id))).isFalse();
        assertThat(backend.store(success(id, 2))).isFalse();
        assertThat(redis.get(key(id))).isEqualTo(python);
    }

    @Test
    void aSuccessStoredByBullpenIsNeverOverwritten() {
        String id = newTaskId();
        backend.store(success(id, 1));
        String bullpen = redis.get(key(id));
        assertThat(bullpen).startsWith("{\"status\": \"SUCCESS\", ");

        assertThat(backend.store(failure(id, "late duplicate"))).isFalse();
        assertThat(backend.store(retry(id))).isFalse();
        assertThat(redis.get(key(id))).isEqualTo(bullpen);
    }

    @Test
    void aCompactOrReorderedSuccessIsNeverOverwrittenEither() {
        // Written by some other client: without json.dumps' spaces, or with status not first.
        String compact = newTaskId();
        redis.setex(key(compact), 60, "{\"status\":\"SUCCESS\",\"result\":5,\"task_id\":\"" + compact + "\"}");
        String reordered = newTaskId();
        redis.setex(key(reordered), 60, "{\"result\": 5, \"status\": \"SUCCESS\", \"task_id\": \"" + reordered + "\"}");

        assertThat(backend.store(failure(compact, "late duplicate"))).isFalse();
        assertThat(backend.store(failure(reordered, "late duplicate"))).isFalse();
        assertThat(backend.get(compact).state()).isEqualTo(TaskState.SUCCESS);
        assertThat(backend.get(reordered).state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void aFailureStoredByPythonCeleryIsNotReplacedByALateStartedOrRetry() {
        String id = newTaskId();
        String python = Captures.result("failure_extended");
        redis.setex(key(id), 60, python);
        String reordered = newTaskId();
        redis.setex(key(reordered), 60, "{\"result\": 5, \"status\": \"REVOKED\", \"task_id\": \"" + reordered + "\"}");

        assertThat(backend.store(started(id))).isFalse();
        assertThat(backend.store(retry(id))).isFalse();
        assertThat(backend.store(started(reordered))).isFalse();
        assertThat(redis.get(key(id))).isEqualTo(python);
        assertThat(backend.store(success(id, 3))).as("another run's outcome").isTrue();
    }

    @Test
    void aCustomProgressStateIsOnTheWayAndReplacedByAnything() {
        // What Python's self.update_state(state="PROGRESS", meta=...) writes: a state the table does not name.
        String id = newTaskId();
        redis.setex(key(id), 60, "{\"status\": \"PROGRESS\", \"result\": {\"done\": 3}, \"task_id\": \"" + id + "\"}");
        String longName = newTaskId();
        redis.setex(key(longName), 60, "{\"status\": \"" + "X".repeat(80) + "\", \"task_id\": \"" + longName + "\"}");

        assertThat(backend.store(started(id))).isTrue();
        assertThat(backend.store(started(longName))).isTrue();
        assertThat(backend.get(longName).state()).isEqualTo(TaskState.STARTED);
    }

    @Test
    void onlyTheStatusCountsNotASuccessInsideTheResult() {
        // A Python STARTED, RETRY or FAILURE, and a Bullpen one whose result text holds '"status": "SUCCESS"'.
        for (String capture : List.of("started", "retry", "failure_extended")) {
            String id = newTaskId();
            redis.setex(key(id), 60, Captures.result(capture));
            assertThat(backend.store(success(id, 7))).as(capture).isTrue();
            assertThat(backend.get(id).state()).isEqualTo(TaskState.SUCCESS);
        }
        String id = newTaskId();
        backend.store(failure(id, "{\"status\": \"SUCCESS\"}"));
        assertThat(redis.get(key(id))).contains("SUCCESS").startsWith("{\"status\": \"FAILURE\"");

        assertThat(backend.store(success(id, 7))).isTrue();
        assertThat(backend.get(id).state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void aPythonFailureIsReadable() {
        String id = newTaskId();
        redis.setex(key(id), 60, Captures.result("failure_extended"));

        TaskResult r = backend.get(id);

        assertThat(r.state()).isEqualTo(TaskState.FAILURE);
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e.message()).isEqualTo("('bad thing', 42)"));
    }

    @Test
    void aResultSetWithoutPublishBeforeTheWaitIsFound() {
        String id = newTaskId();
        redis.setex(key(id), 60, Captures.result("success_extended"));

        assertThat(backend.whenReady(id)).succeedsWithin(WAKE_UP);
    }

    @Test
    void aPythonWorkersStartedStateDoesNotWakeAWaiter() {
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);

        redis.setex(key(id), 60, Captures.result("started"));
        redis.publish(key(id), Captures.result("started"));
        redis.setex(key(id), 60, Captures.result("failure_extended"));
        redis.publish(key(id), Captures.result("failure_extended"));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.state()).isEqualTo(TaskState.FAILURE));
    }

    @Test
    void garbageOnTheChannelIsIgnored() {
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);

        redis.publish(key(id), "not json at all");
        redis.publish(key(id), "{\"status\": \"SUCCESS\", \"date_done\": \"not a date\", \"result\": 1}");

        // The second one is a readable SUCCESS, bad date and all.
        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.result().intValue()).isEqualTo(1));
    }

    @Test
    void resultsUnderAnotherPrefixDoNotWakeWaiters() {
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);
        String otherPrefix = services.redisPrefix() + "other:";

        try (var other = new RedisResultBackend(services.redisConnectionFactory(), otherPrefix, ONE_DAY)) {
            CompletableFuture<TaskResult> otherReady = other.whenReady(id);
            other.store(success(id, 1));
            assertThat(otherReady).succeedsWithin(WAKE_UP);
        }
        assertThat(ready).isNotDone();
        backend.store(success(id, 2));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.result().intValue()).isEqualTo(2));
    }

    @Test
    void aPrefixWithGlobCharactersIsMatchedLiterally() {
        String prefix = services.redisPrefix() + "a*b?[c]:";
        String id = newTaskId();
        try (var globby = new RedisResultBackend(services.redisConnectionFactory(), prefix, ONE_DAY)) {
            CompletableFuture<TaskResult> ready = globby.whenReady(id);
            globby.store(success(id, 3));

            assertThat(ready).succeedsWithin(WAKE_UP);
            assertThat(redis.get(prefix + "celery-task-meta-" + id)).contains("\"result\": 3");
        }
    }

    @Test
    void aResultMissedWhileTheSubscriptionWasDownIsFoundOnResubscribe() {
        // Subscribed, and past the read that follows the first subscription.
        String warmUp = newTaskId();
        CompletableFuture<TaskResult> warm = backend.whenReady(warmUp);
        backend.store(success(warmUp, 0));
        assertThat(warm).succeedsWithin(WAKE_UP);
        String id = newTaskId();
        CompletableFuture<TaskResult> ready = backend.whenReady(id);
        // A synchronous read on the backend's connection: its waiter's own read has been answered.
        backend.get(newTaskId());
        // Stored without a PUBLISH, as if the message went out while we were disconnected.
        redis.setex(key(id), 60, Captures.result("success_extended"));
        assertThat(ready).isNotDone();

        // Drop only this backend's subscriber connection; Lettuce reconnects and subscribes again.
        String name = "bullpen-results-sub:" + services.redisPrefix();
        List<String> killed = killClients(name);
        assertThat(killed).hasSize(1);

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.state()).isEqualTo(TaskState.SUCCESS));
        // And it goes on receiving published results.
        String next = newTaskId();
        CompletableFuture<TaskResult> nextReady = backend.whenReady(next);
        backend.store(success(next, 1));
        assertThat(nextReady).succeedsWithin(WAKE_UP);
    }

    @Test
    void anExpectedTaskIsNotReadButStillFoundWhenTheSubscriptionComesBack() {
        // Subscribed, and past the read that follows the first subscription (which reads every waiter).
        String warmUp = newTaskId();
        CompletableFuture<TaskResult> warm = backend.whenReady(warmUp);
        backend.store(success(warmUp, 0));
        assertThat(warm).succeedsWithin(WAKE_UP);
        String id = newTaskId();
        backend.expect(id);
        CompletableFuture<TaskResult> ready = backend.whenReady(id);
        // Stored without a PUBLISH, as if published while the subscription was down: the waiter did
        // not read the key (it was listened for before the task could have a result) ...
        redis.setex(key(id), 60, Captures.result("success_extended"));
        backend.get(newTaskId()); // a read on the backend's connection: anything the waiter sent is answered
        assertThat(ready).isNotDone();

        // ... so only the read after resubscribing finds it.
        assertThat(killClients("bullpen-results-sub:" + services.redisPrefix())).hasSize(1);

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.state()).isEqualTo(TaskState.SUCCESS));
        assertThat(redisBackend().waitingTasks()).isZero();
    }

    @Test
    void aResultPublishedBeforeTheWaitOfAnExpectedTaskIsKeptForIt() {
        String id = newTaskId();
        backend.expect(id);
        backend.store(success(id, 7));
        // Redis delivers in order: once the marker's waiter is woken, the result above has been seen.
        String marker = newTaskId();
        CompletableFuture<TaskResult> markerReady = backend.whenReady(marker);
        backend.store(success(marker, 0));
        assertThat(markerReady).succeedsWithin(WAKE_UP);
        // Deleted behind the backend's back: a read would find nothing, the kept result answers.
        redis.del(key(id));

        assertThat(backend.whenReady(id)).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.result().intValue()).isEqualTo(7));
        assertThat(redisBackend().expectedTasks()).isZero();
        assertThat(redisBackend().waitingTasks()).isZero();
    }

    @Test
    void forgettingAnExpectedTaskDropsTheResultKeptForIt() {
        String id = newTaskId();
        backend.expect(id);
        backend.store(success(id, 1));
        String marker = newTaskId();
        CompletableFuture<TaskResult> markerReady = backend.whenReady(marker);
        backend.store(success(marker, 0));
        assertThat(markerReady).succeedsWithin(WAKE_UP);

        backend.forget(id);
        CompletableFuture<TaskResult> ready = backend.whenReady(id);
        backend.get(newTaskId()); // its read of the deleted key is answered
        assertThat(ready).isNotDone();
        backend.store(success(id, 2));

        assertThat(ready).succeedsWithin(WAKE_UP).satisfies(r -> assertThat(r.result().intValue()).isEqualTo(2));
    }

    @Test
    void aCancelledWaitOnAnExpectedTaskLetsItGo() {
        String id = newTaskId();
        backend.expect(id);
        assertThat(redisBackend().expectedTasks()).isEqualTo(1);

        backend.whenReady(id).cancel(false);

        assertThat(redisBackend().expectedTasks()).isZero();
        assertThat(redisBackend().waitingTasks()).isZero();
    }

    /** CLIENT KILL by id, for the connections with exactly this name (ours: the name holds our prefix). */
    private List<String> killClients(String name) {
        List<String> ids = new ArrayList<>();
        for (String line : redis.clientList().split("\n")) {
            String id = null;
            String clientName = null;
            for (String field : line.trim().split(" ")) {
                if (field.startsWith("id=")) {
                    id = field.substring(3);
                } else if (field.startsWith("name=")) {
                    clientName = field.substring(5);
                }
            }
            if (name.equals(clientName) && id != null) {
                ids.add(id);
            }
        }
        ids.forEach(id -> redis.clientKill(io.lettuce.core.KillArgs.Builder.id(Long.parseLong(id))));
        return ids;
    }

    @Test
    void twoThousandWaitersAllComplete() {
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<TaskResult>> waiters = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String id = newTaskId();
            ids.add(id);
            waiters.add(backend.whenReady(id));
        }

        for (int i = 0; i < ids.size(); i++) {
            backend.store(success(ids.get(i), i));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> waiters.stream().allMatch(CompletableFuture::isDone));
        for (int i = 0; i < ids.size(); i++) {
            assertThat(waiters.get(i).join().result().intValue()).isEqualTo(i);
        }
    }

    @Test
    void twoThousandWaitersOnOneIdAllComplete() {
        String id = newTaskId();
        List<CompletableFuture<TaskResult>> waiters = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            waiters.add(backend.whenReady(id));
        }

        backend.store(success(id, 1));

        await().atMost(Duration.ofSeconds(60)).until(() -> waiters.stream().allMatch(CompletableFuture::isDone));
        assertThat(waiters).allSatisfy(w -> assertThat(w.join().state()).isEqualTo(TaskState.SUCCESS));
    }

    @Test
    void waitersAreLetGoWhenTheyCompleteOrAreCancelled() {
        List<CompletableFuture<TaskResult>> cancelled = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            cancelled.add(backend.whenReady(newTaskId()));
        }
        String id = newTaskId();
        CompletableFuture<TaskResult> completed = backend.whenReady(id);
        CompletableFuture<TaskResult> alsoCompleted = backend.whenReady(id);
        assertThat(redisBackend().waitingTasks()).isEqualTo(501);

        cancelled.forEach(f -> f.cancel(true));
        backend.store(success(id, 1));

        assertThat(completed).succeedsWithin(WAKE_UP);
        assertThat(alsoCompleted).succeedsWithin(WAKE_UP);
        assertThat(redisBackend().waitingTasks()).isZero();
    }

    @Test
    void closingFailsTheWaitersAndLaterCalls() {
        String id = newTaskId();
        var closing = new RedisResultBackend(services.redisConnectionFactory(), services.redisPrefix(), ONE_DAY);
        CompletableFuture<TaskResult> ready = closing.whenReady(id);

        closing.close();

        await().atMost(WAKE_UP).until(ready::isDone);
        assertThat(ready).isCompletedExceptionally();
        CompletableFuture<TaskResult> afterClose = closing.whenReady(newTaskId());
        await().atMost(WAKE_UP).until(afterClose::isDone);
        assertThat(afterClose).isCompletedExceptionally();
        assertThatThrownBy(() -> closing.store(success(id, 1))).isInstanceOf(RuntimeException.class);
    }
}
