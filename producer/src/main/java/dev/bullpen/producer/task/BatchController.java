package dev.bullpen.producer.task;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskPublishException;
import dev.bullpen.producer.ProducerProperties;
import dev.bullpen.producer.errors.Problems;
import dev.bullpen.producer.queues.QueuePolicy;
import dev.bullpen.producer.workers.LiveWorkers;
import dev.bullpen.result.TaskState;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Sends many tasks in one request: every element is checked before anything is published, then all
 * are published at once and the answer comes when the broker has confirmed each of them. One
 * request's round trip and one confirm wait for the lot is what makes it cheaper than one request
 * a task.
 */
@RestController
@RequestMapping("/api/tasks")
@Tag(name = "Tasks", description = "Send Celery tasks and read their results")
class BatchController {

    /** Tasks in one batch at most: one answer holds every id, and one refusal names one element. */
    static final int MAX_TASKS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(BatchController.class);
    private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    private final TaskClient client;
    private final TaskSender sender;
    private final QueueDeclarer queues;
    private final QueuePolicy queuePolicy;
    private final BodyLimit bodyLimit;
    private final TaskRequestReader reader = new TaskRequestReader();
    private final LiveWorkers workers;
    private final Duration confirmTimeout;

    BatchController(TaskClient client, TaskSender sender, QueueDeclarer queues, QueuePolicy queuePolicy,
            ProducerProperties properties, ClientProperties clientProperties, LiveWorkers workers) {
        this.workers = workers;
        this.client = client;
        this.sender = sender;
        this.queues = queues;
        this.queuePolicy = queuePolicy;
        this.bodyLimit = new BodyLimit(properties.maxPayload().toBytes());
        this.confirmTimeout = clientProperties.confirmTimeout();
    }

    @PostMapping(path = "/batch", consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    @Operation(summary = "Send many tasks",
            description = "The body is a JSON array of 1 to " + MAX_TASKS + " task requests, each as POST "
                    + "/api/tasks takes it, within bullpen.producer.max-payload as a whole. All are checked first: "
                    + "one invalid element refuses the batch, naming its index, and nothing is published. The "
                    + "answer lists the ids in the order of the request, once the broker has confirmed every task. "
                    + "Idempotency-Key is not taken here: give each task its own task_id instead. A task_id given "
                    + "twice in the batch is refused (400); one that already has a result or a task in flight "
                    + "refuses the batch with 409, naming its index.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            array = @ArraySchema(schema = @Schema(implementation = SubmitTaskRequest.class),
                                    minItems = 1, maxItems = MAX_TASKS))))
    @ApiResponse(responseCode = "202", description = "All queued, in the order sent",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = TaskAccepted.class))))
    @ApiResponse(responseCode = "400", description = "Invalid body or element (a task_id twice, a queue not "
            + "configured...); index and field name the first fault; nothing was published",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "409", description = "An element's task_id already has a result or a task in flight "
            + "(title Task id taken); index and field name it; nothing was published",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "413", description = "Body over bullpen.producer.max-payload",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "503", description = "The broker is unreachable or did not confirm some tasks: ids "
            + "lists every task's id in order, unconfirmed the indexes of those that may not be queued (their "
            + "task_ids are free again); or Redis is unreachable to check a task_id and nothing was published",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    ResponseEntity<List<TaskAccepted>> submitBatch(HttpServletRequest request,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) @Nullable String idempotencyKey)
            throws IOException {
        if (idempotencyKey != null) {
            throw new InvalidTaskRequestException(IdempotencyKey.HEADER, "Idempotency-Key is not taken on batches; "
                    + "give each task its own task_id, or send it alone to POST /api/tasks");
        }
        byte[] body = bodyLimit.read(request.getInputStream(), request.getContentLengthLong());
        List<JsonNode> elements = TaskRequestReader.readBatch(body, MAX_TASKS);
        List<Boolean> chosen = elements.stream().map(e -> e.isObject() && e.hasNonNull("task_id")).toList();
        List<TaskSubmission> submissions = check(elements);
        List<String> ids = submissions.stream().map(s -> s.options().taskId()).toList();
        // All are published before the first wait, so the broker confirms them together (often with one
        // multiple ack). The wait is on the request's own thread, a virtual one, as in POST /api/tasks:
        // answering a future instead made Spring dispatch the request through its filters a second time.
        TaskSender.Batch batch = sender.sendAll(submissions, chosen);
        List<CompletableFuture<TaskHandle>> sent = batch.tasks();
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((ok, error) -> null).join();
        } finally {
            sender.finish(batch, ids);
        }
        if (sent.stream().anyMatch(CompletableFuture::isCompletedExceptionally)) {
            Throwable first = sent.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
                    .map(f -> f.handle((ok, error) -> error).join()).orElseThrow();
            throw new BatchNotConfirmedException(ids, unconfirmed(sent), cause(first));
        }
        List<TaskAccepted> accepted = new ArrayList<>(ids.size());
        for (String id : ids) {
            accepted.add(new TaskAccepted(id, TaskState.PENDING));
        }
        return ResponseEntity.accepted().body(accepted);
    }

    /** Every element parsed, its queue resolved and checked, its id chosen, before anything is sent. */
    private List<TaskSubmission> check(List<JsonNode> elements) {
        Instant now = Instant.now();
        List<TaskSubmission> submissions = new ArrayList<>(elements.size());
        Map<String, Integer> chosenIds = new HashMap<>();
        for (int i = 0; i < elements.size(); i++) {
            try {
                if (!elements.get(i).isObject()) {
                    throw new InvalidTaskRequestException("body", "each element must be a JSON object");
                }
                TaskSubmission parsed = reader.parse(elements.get(i), now);
                if (parsed.options().taskId() != null) {
                    Integer first = chosenIds.putIfAbsent(parsed.options().taskId(), i);
                    if (first != null) {
                        // Two tasks under one id share one result: one of them would be lost.
                        throw new InvalidTaskRequestException("task_id", "task_id '" + parsed.options().taskId()
                                + "' is also task " + first + "'s; each task of a batch needs its own");
                    }
                }
                // Chosen here, so that a batch the broker confirms only in part can still say which is which.
                String id = parsed.options().taskId() != null ? parsed.options().taskId() : UUID.randomUUID().toString();
                String worker = parsed.options().worker();
                if (worker != null) {
                    if (!workers.isAlive(worker)) {
                        throw new NoSuchWorkerException("worker", "element " + i + ": no live worker is named '" + worker
                                + "' (GET /api/workers lists the live ones); nothing was sent", workers.names());
                    }
                    submissions.add(new TaskSubmission(parsed.task(), parsed.args(), parsed.kwargs(),
                            parsed.options().taskId(id)));
                    continue;
                }
                String queue = client.queueFor(parsed.task(), parsed.options());
                String refused = queuePolicy.refusal(queue);
                if (refused != null) {
                    throw new InvalidTaskRequestException("queue", refused);
                }
                queues.ensure(queue);
                submissions.add(new TaskSubmission(parsed.task(), parsed.args(), parsed.kwargs(),
                        parsed.options().queue(queue).taskId(id)));
            } catch (InvalidTaskRequestException ex) {
                throw new InvalidBatchElementException(i, ex);
            }
        }
        return submissions;
    }

    private static List<Integer> unconfirmed(List<CompletableFuture<TaskHandle>> sent) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            if (sent.get(i).isCompletedExceptionally()) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalidElement(InvalidBatchElementException ex) {
        return Problems.of(HttpStatus.BAD_REQUEST, "task " + ex.index() + ": " + ex.getMessage())
                .title("Invalid task request").property("index", ex.index()).field(ex.field()).response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notConfirmed(BatchNotConfirmedException ex) {
        log.warn("Batch of {} tasks: {} not confirmed: {}", ex.ids().size(), ex.unconfirmed().size(), ex.getMessage());
        // The client's confirm timeout fails a task with a TaskPublishException caused by a TimeoutException.
        String why = ex.getCause() instanceof TaskPublishException publish && publish.getCause() instanceof TimeoutException
                ? "the broker did not confirm them within " + confirmTimeout
                : String.valueOf(ex.getCause() == null ? ex.getMessage() : ex.getCause().getMessage());
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE,
                ex.unconfirmed().size() + " of " + ex.ids().size() + " tasks may not be queued (" + why
                        + "); the others are. Send the unconfirmed ones again, with the same task_id if a duplicate "
                        + "run must be recognisable")
                .title("Broker unavailable").property("ids", ex.ids()).property("unconfirmed", ex.unconfirmed())
                .retryAfter(Problems.RETRY_AFTER_SECONDS).response();
    }

    /** One element of a batch is invalid: the batch is refused whole. */
    static final class InvalidBatchElementException extends RuntimeException {

        private final int index;
        private final String field;

        InvalidBatchElementException(int index, InvalidTaskRequestException cause) {
            super(cause.getMessage(), cause);
            this.index = index;
            this.field = cause.field();
        }

        int index() {
            return index;
        }

        String field() {
            return field;
        }
    }

    /** Some tasks of a batch were not confirmed; the others are queued. */
    static final class BatchNotConfirmedException extends RuntimeException {

        private final List<String> ids;
        private final List<Integer> unconfirmed;

        BatchNotConfirmedException(List<String> ids, List<Integer> unconfirmed, Throwable cause) {
            super(cause.getMessage(), cause);
            this.ids = ids;
            this.unconfirmed = unconfirmed;
        }

        List<String> ids() {
            return ids;
        }

        List<Integer> unconfirmed() {
            return unconfirmed;
        }
    }
}
