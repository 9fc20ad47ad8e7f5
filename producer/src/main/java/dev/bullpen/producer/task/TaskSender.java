package dev.bullpen.producer.task;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.producer.task.TaskIdClaims.Claim;
import dev.bullpen.producer.task.TaskIdClaims.Held;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Publishes checked submissions, a caller's task id claimed first ({@link TaskIdClaims}): settled after
 * the broker's confirm, released when nothing was published.
 */
@Component
class TaskSender {

    private static final Logger log = LoggerFactory.getLogger(TaskSender.class);

    private final TaskClient client;
    private final TaskIdClaims claims;
    private final Duration confirmTimeout;
    private final Executor executor;

    TaskSender(TaskClient client, TaskIdClaims claims, ClientProperties clientProperties,
            @Qualifier("applicationTaskExecutor") Executor executor) {
        this.client = client;
        this.claims = claims;
        this.confirmTimeout = clientProperties.confirmTimeout();
        this.executor = executor;
    }

    /**
     * Publishes the submission under its id; the future completes with the id on the broker's confirm,
     * with a chosen id's claim settled by then (or released, if the publish failed).
     *
     * @param chosen whether the caller chose the id: it is claimed first, and refused if taken
     * @throws TaskIdException when a chosen id is taken or cannot be checked; nothing is published then
     */
    CompletableFuture<String> send(TaskSubmission submission, boolean chosen) {
        // The controller gives every submission its id before sending it.
        String id = Objects.requireNonNull(submission.options().taskId(), "task id");
        if (!chosen) {
            return publish(submission).thenApply(confirmed -> id);
        }
        Held held = claims.claim(List.of(new Claim(id, submission.options())), null);
        // Async: the confirm arrives on the AMQP client's thread, which must not wait on Redis.
        return publish(submission).handleAsync((confirmed, error) -> {
            if (error != null) {
                release(held, List.of(id));
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            settle(held, Set.of());
            return id;
        }, executor);
    }

    /** A batch on its way: a future per task, and the claims to settle once they are all done. */
    record Batch(List<CompletableFuture<TaskHandle>> tasks, @Nullable Held held, List<Boolean> chosen) {
    }

    /**
     * Claims a batch's chosen ids in one round trip, all or none, then publishes every task; each
     * future completes on its task's confirm. Call {@link #finish} once they are all done.
     *
     * @throws TaskIdException when a chosen id is taken (its index named) or cannot be checked
     */
    Batch sendAll(List<TaskSubmission> submissions, List<Boolean> chosen) {
        List<Claim> wanted = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < submissions.size(); i++) {
            if (chosen.get(i)) {
                wanted.add(new Claim(Objects.requireNonNull(submissions.get(i).options().taskId(), "task id"),
                        submissions.get(i).options()));
                indexes.add(i);
            }
        }
        Held held = wanted.isEmpty() ? null : claims.claim(wanted, indexes);
        List<CompletableFuture<TaskHandle>> sent = new ArrayList<>(submissions.size());
        for (TaskSubmission submission : submissions) {
            sent.add(publishHandle(submission));
        }
        return new Batch(sent, held, chosen);
    }

    /**
     * Once every task of the batch is done: the chosen ids of tasks the broker did not confirm are
     * released, so that they can be sent again under the same ids, as the 503 advises; the rest settled.
     */
    void finish(Batch batch, List<String> ids) {
        Held held = batch.held();
        if (held == null) {
            return;
        }
        Set<String> unsent = new HashSet<>();
        for (int i = 0; i < batch.tasks().size(); i++) {
            if (batch.chosen().get(i) && batch.tasks().get(i).isCompletedExceptionally()) {
                unsent.add(ids.get(i));
            }
        }
        release(held, unsent);
        settle(held, unsent);
    }

    /** Not waited for: until it lands, the lease holds the ids. */
    private void settle(Held held, Set<String> unsent) {
        CompletableFuture<?> settled;
        try {
            settled = claims.settle(held, unsent);
        } catch (RuntimeException ex) {
            settled = CompletableFuture.failedFuture(ex);
        }
        settled.whenComplete((ok, ex) -> {
            if (ex != null) {
                log.warn("Tasks {} were published, but their ids' claims could not be extended; they lapse within {} "
                        + "and then only a stored result keeps the ids taken: {}", held.taskIds(), confirmTimeout
                        .plus(TaskIdClaims.LEASE_MARGIN), ex.getMessage());
            }
        });
    }

    private void release(Held held, Collection<String> taskIds) {
        try {
            claims.release(held, taskIds);
        } catch (RuntimeException ex) {
            log.warn("Tasks {} were not sent and their ids could not be released: they stay taken for up to {}: {}",
                    taskIds, confirmTimeout.plus(TaskIdClaims.LEASE_MARGIN), ex.getMessage());
        }
    }

    /**
     * Sends the task; the future completes on the broker's confirm, or fails at the latest after the
     * client's confirm timeout, which {@link TaskClient#sendAsync} owns.
     */
    private CompletableFuture<TaskHandle> publish(TaskSubmission submission) {
        return publishHandle(submission).exceptionallyCompose(ex -> CompletableFuture.failedFuture(
                ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex));
    }

    private CompletableFuture<TaskHandle> publishHandle(TaskSubmission submission) {
        try {
            return client.sendAsync(submission.task(), submission.args(), submission.kwargs(), submission.options());
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }
}
