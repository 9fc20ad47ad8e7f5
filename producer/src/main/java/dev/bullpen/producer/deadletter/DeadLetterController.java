package dev.bullpen.producer.deadletter;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.producer.errors.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** Lists the dead letters of a queue and replays them. */
@RestController
@RequestMapping("/api/dead-letters")
@Tag(name = "Dead letters", description = "Messages workers moved to <queue>.dlq: see why, and replay them")
class DeadLetterController {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;
    private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    private final DeadLetterQueues deadLetters;
    private final String defaultQueue;

    DeadLetterController(DeadLetterQueues deadLetters, ClientProperties clientProperties) {
        this.deadLetters = deadLetters;
        this.defaultQueue = clientProperties.defaultQueue();
    }

    @GetMapping
    @Operation(summary = "List dead letters",
            description = "The oldest first, without taking them off the dead-letter queue.")
    @ApiResponse(responseCode = "200", description = "The dead letters; empty when the queue has none",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = DeadLetter.class))))
    @ApiResponse(responseCode = "400", description = "Invalid limit", content = @Content(mediaType = PROBLEM))
    @ApiResponse(responseCode = "503", description = "The broker is unreachable", content = @Content(mediaType = PROBLEM))
    List<DeadLetter> list(
            @Parameter(description = "The task queue whose <queue>.dlq to read (default bullpen.client.default-queue)")
            @RequestParam(required = false) @Nullable String queue,
            @Parameter(description = "At most this many, 1.." + MAX_LIMIT)
            @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw problem(HttpStatus.BAD_REQUEST, "Invalid limit", "limit must be 1.." + MAX_LIMIT + ", got " + limit);
        }
        return deadLetters.list(queueOrDefault(queue), limit);
    }

    @PostMapping("/{id}/replay")
    @Operation(summary = "Replay a dead letter",
            description = "Sends the dead letter of task {id} back to the queue it came from as a fresh run "
                    + "(retries 0, no ETA, same task id), forgets its stored FAILURE, and takes it off the "
                    + "dead-letter queue once the broker confirmed the new message.")
    @ApiResponse(responseCode = "202", description = "Queued again; the Location header is where to read the result",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ReplayAccepted.class)))
    @ApiResponse(responseCode = "404", description = "No dead letter with that id", content = @Content(mediaType = PROBLEM))
    @ApiResponse(responseCode = "409", description = "The dead letter is not whole: its body was over the worker's "
            + "bullpen.worker.max-message-bytes and was not kept, or its headers were unreadable; it stays where it is",
            content = @Content(mediaType = PROBLEM))
    @ApiResponse(responseCode = "503", description = "The broker is unreachable or did not confirm",
            content = @Content(mediaType = PROBLEM))
    ResponseEntity<ReplayAccepted> replay(@PathVariable String id,
            @Parameter(description = "The task queue whose <queue>.dlq holds it (default bullpen.client.default-queue)")
            @RequestParam(required = false) @Nullable String queue) {
        String from = queueOrDefault(queue);
        ReplayAccepted replayed;
        try {
            replayed = deadLetters.replay(from, id).orElseThrow(() -> problem(HttpStatus.NOT_FOUND,
                    "Dead letter not found", "no dead letter with id '" + id + "' in " + DeadLetterQueues.deadLetterQueue(from)));
        } catch (NotReplayableException ex) {
            throw problem(HttpStatus.CONFLICT, "Dead letter cannot be replayed", String.valueOf(ex.getMessage()));
        }
        return ResponseEntity.accepted()
                .location(UriComponentsBuilder.fromPath("/api/tasks/{id}").buildAndExpand(id).encode().toUri())
                .body(replayed);
    }

    private String queueOrDefault(@Nullable String queue) {
        return queue == null || queue.isBlank() ? defaultQueue : queue;
    }

    private static ErrorResponseException problem(HttpStatus status, String title, String detail) {
        return Problems.of(status, detail).title(title).exception();
    }
}
