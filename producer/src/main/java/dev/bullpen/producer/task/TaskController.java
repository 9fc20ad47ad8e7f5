package dev.bullpen.producer.task;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskPublishException;
import dev.bullpen.producer.ProducerProperties;
import dev.bullpen.producer.queues.QueuePolicy;
import dev.bullpen.producer.workers.LiveWorkers;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskState;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends tasks and reads their results over HTTP. A submission waits for the broker's confirm on its
 * request thread, a virtual one; a long-poll holds no thread and completes on the result backend's push.
 */
@RestController
@RequestMapping("/api/tasks")
@Tag(name = "Tasks", description = "Send Celery tasks and read their results")
class TaskController {

    private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    /** Longer than any id Celery or Bullpen makes (a UUID is 36), short enough to keep junk out of Redis. */
    private static final int MAX_ID_LENGTH = 255;
    /** On an answer given from an earlier request with the same Idempotency-Key. */
    static final String REPLAYED = "Idempotent-Replayed";

    private final TaskClient client;
    private final TaskSender sender;
    private final ResultBackend results;
    private final QueueDeclarer queues;
    private final QueuePolicy queuePolicy;
    private final IdempotentSubmits idempotent;
    private final BodyLimit bodyLimit;
    private final TaskRequestReader reader = new TaskRequestReader();
    private final Duration maxWait;
    private final Executor executor;
    private final LiveWorkers workers;
    private final ObjectWriter acceptedWriter;

    TaskController(TaskClient client, TaskSender sender, ResultBackend results, QueueDeclarer queues,
            QueuePolicy queuePolicy, IdempotentSubmits idempotent, ProducerProperties properties,
            @Qualifier("applicationTaskExecutor") Executor executor, LiveWorkers workers, JsonMapper json) {
        this.workers = workers;
        this.acceptedWriter = json.writerFor(TaskAccepted.class);
        this.client = client;
        this.sender = sender;
        this.results = results;
        this.queues = queues;
        this.queuePolicy = queuePolicy;
        this.idempotent = idempotent;
        this.bodyLimit = new BodyLimit(properties.maxPayload().toBytes());
        this.maxWait = properties.maxWait();
        this.executor = executor;
    }

    @PostMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    @Operation(summary = "Send a task",
            description = "Publishes the task in Celery's protocol v2 and answers once the broker has confirmed it. "
                    + "Nothing is published when the request is refused. With an Idempotency-Key, the task is "
                    + "published once per key: a repeat of the request within bullpen.producer.idempotency-ttl "
                    + "(24h by default), concurrent or later, answers the same id and publishes nothing. A task_id "
                    + "that already has a result or a task in flight is refused with 409, so that no one can "
                    + "forge or read another task's result; a queue must be configured (bullpen.queues, "
                    + "bullpen.routes, bullpen.client.default-queue) or match bullpen.producer.queue-patterns.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = SubmitTaskRequest.class))))
    @ApiResponse(responseCode = "202", description = "Queued; the Location header is where to read the result",
            headers = @Header(name = REPLAYED, description = "true when an earlier request with the same "
                    + "Idempotency-Key published the task; absent otherwise", schema = @Schema(type = "string",
                    allowableValues = "true")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = TaskAccepted.class)))
    @ApiResponse(responseCode = "400", description = "Invalid request or Idempotency-Key; detail and field name what "
            + "is wrong", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "409", description = "task_id already has a result or a task in flight (title Task "
            + "id taken, field task_id); or a request with the same Idempotency-Key is still being published: repeat "
            + "it shortly (title Request in progress, Retry-After)", content = @Content(mediaType = PROBLEM,
                    schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "404", description = "No live worker of the name given in worker (by heartbeats, or "
            + "none consumes its direct queue); live_workers lists those alive. Nothing was sent",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "413", description = "Body over bullpen.producer.max-payload",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "422", description = "The Idempotency-Key was used before with a different body",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "503", description = "The broker is unreachable or did not confirm, or Redis is "
            + "unreachable for an Idempotency-Key or a task_id; nothing stands for the key or the id: retry later",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    void submit(HttpServletRequest request, HttpServletResponse response,
            @Parameter(in = ParameterIn.HEADER, name = IdempotencyKey.HEADER, description = "Publish the task once "
                    + "for this key (1 to 255 characters, e.g. a UUID): repeats with the same body answer the same id "
                    + "and publish nothing, for bullpen.producer.idempotency-ttl after the first was accepted. Keys "
                    + "are shared by all callers of this producer's Redis key prefix.",
                    schema = @Schema(type = "string", minLength = 1, maxLength = IdempotencyKey.MAX_LENGTH))
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) @Nullable String idempotencyHeader)
            throws IOException {
        @Nullable IdempotencyKey key = IdempotencyKey.of(idempotencyHeader);
        byte[] body = bodyLimit.read(request.getInputStream(), request.getContentLengthLong());
        JsonNode json = TaskRequestReader.readTree(body);
        TaskSubmission parsed = reader.parse(json, Instant.now());
        TaskSubmission submission = routed(parsed);
        // The id is chosen before publishing: it is claimed first, and an Idempotency-Key's claim holds it.
        String chosenId = submission.options().taskId();
        boolean chosen = chosenId != null;
        String taskId = chosenId != null ? chosenId : UUID.randomUUID().toString();
        if (key == null) {
            answer(response, await(sender.send(withId(submission, taskId), chosen)), false);
            return;
        }
        IdempotentSubmits.Submitted submitted = await(idempotent.submit(key, RequestFingerprint.of(json), taskId,
                id -> sender.send(withId(submission, id), chosen)));
        answer(response, submitted.taskId(), submitted.replayed());
    }

    private static TaskSubmission withId(TaskSubmission submission, String taskId) {
        return new TaskSubmission(submission.task(), submission.args(), submission.kwargs(),
                submission.options().taskId(taskId));
    }

    /**
     * The 202, written here rather than returned: Spring's content negotiation and converter choice
     * for this one small body of a fixed type were a tenth of the producer's CPU under load.
     */
    private void answer(HttpServletResponse response, String id, boolean replayed) throws IOException {
        response.setStatus(HttpStatus.ACCEPTED.value());
        response.setHeader(HttpHeaders.LOCATION, location(id));
        if (replayed) {
            response.setHeader(REPLAYED, "true");
        }
        byte[] body = acceptedWriter.writeValueAsBytes(new TaskAccepted(id, TaskState.PENDING));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * A task for one worker, if that worker is alive; else with its queue resolved (the request's, else
     * bullpen.routes, else the default queue) and checked, once, so the check and the send agree.
     */
    private TaskSubmission routed(TaskSubmission parsed) {
        String worker = parsed.options().worker();
        if (worker != null) {
            if (!workers.isAlive(worker)) {
                throw new NoSuchWorkerException("worker", "no live worker is named '" + worker + "' (GET /api/workers "
                        + "lists the live ones); nothing was sent", workers.names());
            }
            return parsed;
        }
        String queue = client.queueFor(parsed.task(), parsed.options());
        String refused = queuePolicy.refusal(queue);
        if (refused != null) {
            throw new InvalidTaskRequestException("queue", refused);
        }
        queues.ensure(queue);
        return new TaskSubmission(parsed.task(), parsed.args(), parsed.kwargs(), parsed.options().queue(queue));
    }

    /**
     * Waits for the confirm on the request's own thread, a virtual one (spring.threads.virtual.enabled):
     * as cheap as a parked future, and it spares Spring's async dispatch, which ran every submission
     * through the servlet filters a second time (a quarter of the producer's CPU under load).
     */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException ex) {
            if (ex.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (ex.getCause() instanceof Error cause) {
                throw cause;
            }
            throw ex;
        }
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a task's state and result",
            description = "An id the result backend does not know reads as PENDING, as in Celery: the task may be "
                    + "queued, never sent, or its result may have expired. With wait, the answer comes as soon as "
                    + "the task reaches SUCCESS, FAILURE or REVOKED, or when the wait is over.")
    @ApiResponse(responseCode = "200", description = "The state now, or the final state if it came within the wait",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = TaskStatus.class)))
    @ApiResponse(responseCode = "400", description = "Invalid wait, or an id over 255 characters or with control "
            + "characters", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "503", description = "The result backend is unreachable",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    CompletableFuture<TaskStatus> status(@PathVariable String id,
            @Parameter(description = "Seconds to wait for a final state, at most bullpen.producer.max-wait "
                    + "(60 by default; longer waits are cut to it)", schema = @Schema(type = "number", minimum = "0"))
            @RequestParam(required = false) @Nullable String wait) {
        checkId(id);
        Duration waitFor = WaitParameter.parse(wait, maxWait);
        if (waitFor.isZero()) {
            return CompletableFuture.completedFuture(TaskStatus.of(results.get(id)));
        }
        // The backend pushes the result; the timeout ends the wait and releases its subscription.
        return results.whenReady(id)
                .completeOnTimeout(null, waitFor.toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(ready -> TaskStatus.of(ready != null ? ready : results.get(id)), executor);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke a task",
            description = "Celery's revoke: a worker that receives the task afterwards stores REVOKED "
                    + "(TaskRevokedError \"revoked\") and does not run it. The revocation is kept in Redis for "
                    + "bullpen.revoke.ttl (7 days by default), so workers started later honour it too. With "
                    + "terminate=true a worker running the task now interrupts it and stores REVOKED "
                    + "(TaskRevokedError \"terminated\"). A task that has already finished keeps its result. "
                    + "The revoke is also broadcast as Celery's remote-control revoke (exchange celery.pidbox), "
                    + "so Python Celery workers running now honour it too.")
    @ApiResponse(responseCode = "202", description = "Revoked; the workers act on it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = RevokeAccepted.class)))
    @ApiResponse(responseCode = "400", description = "Invalid terminate, or an id over 255 characters or with "
            + "control characters",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "503", description = "Redis is unreachable: the task is not revoked; or the broker is: "
            + "Bullpen workers honour the revoke, Python Celery workers did not hear it (title Revoke not broadcast)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    ResponseEntity<RevokeAccepted> revoke(@PathVariable String id,
            @Parameter(description = "Also interrupt the task if it is running now")
            @RequestParam(defaultValue = "false") boolean terminate) {
        checkId(id);
        try {
            client.control().revoke(id, terminate);
        } catch (TaskPublishException ex) {
            throw new RevokeNotBroadcastException(id, ex);
        }
        return ResponseEntity.accepted().header(HttpHeaders.LOCATION, location(id)).body(new RevokeAccepted(id, terminate));
    }

    /** An id from the path becomes a Redis key and may reach a log line: bounded, and no control characters. */
    private static void checkId(String id) {
        if (id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new InvalidTaskRequestException("id", "a task id is 1 to " + MAX_ID_LENGTH + " characters");
        }
        TaskRequestReader.noControlCharacters("id", id);
    }

    private static String location(String id) {
        return "/api/tasks/" + UriUtils.encodePathSegment(id, StandardCharsets.UTF_8);
    }
}
