package dev.bullpen.producer.task;

import dev.bullpen.client.BroadcastHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskControl;
import dev.bullpen.client.TaskPublishException;
import dev.bullpen.producer.ProducerProperties;
import dev.bullpen.producer.errors.Problems;
import dev.bullpen.result.TaskResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs one task once on every live worker (a broadcast: warm a cache, reload a config) and reads
 * each worker's result. The live workers are those that answer a Celery ping now, as
 * {@code celery inspect ping} finds them, not the heartbeat list: a worker killed a moment ago is
 * not sent a copy that would wait for it.
 */
@RestController
@RequestMapping("/api/tasks/broadcast")
@Tag(name = "Tasks", description = "Send Celery tasks and read their results")
class BroadcastController {

    private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    private static final Duration MAX_PING = Duration.ofSeconds(10);

    private final TaskClient client;
    private final BodyLimit bodyLimit;
    private final TaskRequestReader reader = new TaskRequestReader();
    private final Duration maxWait;

    BroadcastController(TaskClient client, ProducerProperties properties) {
        this.client = client;
        this.bodyLimit = new BodyLimit(properties.maxPayload().toBytes());
        this.maxWait = properties.maxWait();
    }

    @PostMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    @Operation(summary = "Run a task once on every live worker",
            description = "Pings the workers on Celery's remote control (celery.pidbox), as celery inspect ping does, "
                    + "waiting timeout seconds (1 by default) for their pongs, then sends one copy of the task to each "
                    + "one's own queue (<worker>.dq2 on exchange C.dq2, Celery's worker_direct), each with its own id "
                    + "<broadcast id>:<worker>. The body is that of POST /api/tasks without queue, worker and task_id, "
                    + "plus pattern (a glob on the node names, e.g. \"*@host-1\", as Celery's pattern with the glob "
                    + "matcher) and timeout (seconds, at most 10). Answers once the broker has confirmed the copies.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = SubmitTaskRequest.class))))
    @ApiResponse(responseCode = "202", description = "Sent; the Location header is where to read each worker's result",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = BroadcastAccepted.class)))
    @ApiResponse(responseCode = "400", description = "Invalid request",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "404", description = "No live worker (matching the pattern) answered the ping; nothing sent",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    @ApiResponse(responseCode = "503", description = "The broker is unreachable, or took no copy",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    ResponseEntity<BroadcastAccepted> broadcast(HttpServletRequest request) throws IOException {
        byte[] body = bodyLimit.read(request.getInputStream(), request.getContentLengthLong());
        ObjectNode json = (ObjectNode) TaskRequestReader.readTree(body);
        String pattern = pattern(json.remove("pattern"));
        Duration timeout = pingTimeout(json.remove("timeout"));
        for (String field : List.of("queue", "worker", "task_id")) {
            if (json.has(field)) {
                throw new InvalidTaskRequestException(field, "a broadcast sends each worker a copy on its own queue, with "
                        + "an id of its own: " + field + " is not taken");
            }
        }
        TaskSubmission parsed = reader.parse(json, Instant.now());
        List<String> live = client.control().liveWorkers(timeout, pattern);
        if (live.isEmpty()) {
            throw new NoSuchWorkerException("pattern", "no live worker" + (pattern == null ? "" : " matching '" + pattern + "'")
                    + " answered a ping within " + timeout.toMillis() / 1000.0 + " s; nothing was sent", List.of());
        }
        BroadcastHandle sent = client.control().broadcast(parsed.task(), parsed.args(), parsed.kwargs(), parsed.options(), live);
        Map<String, String> failed = new LinkedHashMap<>();
        sent.failures().forEach((worker, ex) -> failed.put(worker, ex.getMessage()));
        if (sent.handles().isEmpty()) {
            throw new TaskPublishException("the broker took no copy of " + parsed.task() + ": " + failed);
        }
        Map<String, String> tasks = new LinkedHashMap<>();
        sent.handles().forEach((worker, handle) -> tasks.put(worker, handle.id()));
        return ResponseEntity.accepted().location(location(sent.id()))
                .body(new BroadcastAccepted(sent.id(), parsed.task(), tasks, failed));
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read each worker's result of a broadcast",
            description = "With wait, answers once every copy is SUCCESS, FAILURE or REVOKED, or when the wait is over.")
    @ApiResponse(responseCode = "200", description = "Each worker's copy, as GET /api/tasks/{id} reads one task",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = BroadcastStatus.class)))
    @ApiResponse(responseCode = "404", description = "No broadcast of this id (or its record expired)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ApiProblem.class)))
    BroadcastStatus status(@PathVariable String id,
            @Parameter(description = "Seconds to wait for every copy to finish, at most bullpen.producer.max-wait",
                    schema = @Schema(type = "number", minimum = "0"))
            @RequestParam(required = false) @Nullable String wait) {
        Duration waitFor = WaitParameter.parse(wait, maxWait);
        BroadcastHandle handle;
        try {
            handle = client.control().broadcast(id).orElse(null);
        } catch (IllegalArgumentException notABroadcast) {
            handle = null;
        }
        if (handle == null) {
            throw Problems.of(HttpStatus.NOT_FOUND, "no broadcast has the id " + id).title("No such broadcast").exception();
        }
        SortedMap<String, TaskResult> byWorker = waitFor.isZero() ? handle.results() : handle.await(waitFor);
        Map<String, TaskStatus> workers = new LinkedHashMap<>();
        byWorker.forEach((worker, result) -> workers.put(worker, TaskStatus.of(result)));
        return new BroadcastStatus(id, workers);
    }

    private static @Nullable String pattern(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString() || node.stringValue().isBlank()) {
            throw new InvalidTaskRequestException("pattern", "pattern must be a glob on worker names, e.g. \"*@host-1\"");
        }
        return node.stringValue();
    }

    private static Duration pingTimeout(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return TaskControl.PING_TIMEOUT;
        }
        if (!node.isNumber() || node.doubleValue() <= 0 || node.doubleValue() > MAX_PING.toSeconds()) {
            throw new InvalidTaskRequestException("timeout", "timeout must be a number of seconds above 0 and at most "
                    + MAX_PING.toSeconds());
        }
        return Duration.ofMillis(Math.round(node.doubleValue() * 1000));
    }

    private static URI location(String id) {
        return UriComponentsBuilder.fromPath("/api/tasks/broadcast/{id}").buildAndExpand(id).encode().toUri();
    }
}
