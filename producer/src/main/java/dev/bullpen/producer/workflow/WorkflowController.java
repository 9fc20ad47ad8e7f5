package dev.bullpen.producer.workflow;

import dev.bullpen.client.GroupHandle;
import dev.bullpen.client.MapHandle;
import dev.bullpen.client.PoolMap;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.Workflow;
import dev.bullpen.producer.ProducerProperties;
import dev.bullpen.producer.errors.Problems;
import dev.bullpen.producer.queues.QueuePolicy;
import dev.bullpen.producer.task.BodyLimit;
import dev.bullpen.protocol.CeleryJson;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * Starts Celery canvas workflows over HTTP and reads groups' progress. The messages and Redis keys
 * are Celery's: Python Celery workers can run the tasks, and Python clients can read the groups.
 */
@RestController
@Tag(name = "Workflows", description = "Chains, groups, chords and pool maps of Celery tasks")
class WorkflowController {

    private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    /** The problem schema the task endpoints document. */
    private static final String API_PROBLEM = "#/components/schemas/ApiProblem";
    private static final ObjectReader JSON = CeleryJson.mapper().reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final TaskClient client;
    private final BodyLimit bodyLimit;
    private final PoolMapStore maps;
    private final QueuePolicy queues;

    WorkflowController(TaskClient client, ProducerProperties properties, PoolMapStore maps, QueuePolicy queues) {
        this.client = client;
        this.queues = queues;
        this.bodyLimit = new BodyLimit(properties.maxPayload().toBytes());
        this.maps = maps;
    }

    @PostMapping(path = "/api/workflows", consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    @Operation(summary = "Start a chain, group, chord or pool map (map, starmap, chunks)",
            description = "A task is {\"task\", \"args\", \"kwargs\", \"queue\", \"immutable\"}; a workflow is "
                    + "{\"chain\": [...]}, {\"group\": [...]} or {\"chord\": {\"header\": [...], \"body\": task}}, "
                    + "nested (a chain may hold groups: a group followed by a task becomes a chord; a group may "
                    + "hold chains). Each chain step and chord body gets the previous result first in its args, "
                    + "unless immutable. A header task that fails fails the chord's body at once with ChordError. "
                    + "A pool map runs one task over many inputs, as Celery's: {\"map\": {\"task\", \"items\"}} "
                    + "sends one task per item, called with the item; {\"starmap\": {\"task\", \"args\"}} one task "
                    + "per argument array; {\"chunks\": {\"task\", \"args\", \"size\"}} one celery.starmap task per "
                    + "size argument arrays, run in order on one worker. Read it at GET /api/maps/{id}; as a chord "
                    + "header (or followed by a task in a chain) its body gets the results in input order, one list "
                    + "per chunk. Answers once the broker has confirmed the first messages.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, examples = {
                            @ExampleObject(name = "chain", value = "{\"chain\": [{\"task\": \"demo.add\", \"args\": [1, 2]}, "
                                    + "{\"task\": \"demo.add\", \"args\": [3]}]}"),
                            @ExampleObject(name = "group", value = "{\"group\": [{\"task\": \"demo.add\", \"args\": [1, 1]}, "
                                    + "{\"task\": \"demo.add\", \"args\": [2, 2]}]}"),
                            @ExampleObject(name = "chord", value = "{\"chord\": {\"header\": [{\"task\": \"demo.add\", "
                                    + "\"args\": [1, 1]}, {\"task\": \"demo.add\", \"args\": [2, 2]}], "
                                    + "\"body\": {\"task\": \"demo.tsum\"}}}"),
                            @ExampleObject(name = "map", value = "{\"map\": {\"task\": \"demo.sleep\", \"items\": [0.3, 0.1, 0.2]}}"),
                            @ExampleObject(name = "starmap", value = "{\"starmap\": {\"task\": \"demo.add\", "
                                    + "\"args\": [[1, 2], [3, 4]]}}"),
                            @ExampleObject(name = "chunks", value = "{\"chunks\": {\"task\": \"demo.add\", "
                                    + "\"args\": [[1, 2], [3, 4], [5, 6]], \"size\": 2}}")})))
    @ApiResponse(responseCode = "202", description = "Sent; Location is where to read the result or the group",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = WorkflowAccepted.class)))
    @ApiResponse(responseCode = "400", description = "Not a workflow; field is the path to the fault, e.g. chain[1].args "
            + "or chunks.size (below 1), chunks.args (empty), group[0].queue (not configured: bullpen.queues, "
            + "bullpen.routes or bullpen.producer.queue-patterns)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(ref = API_PROBLEM)))
    @ApiResponse(responseCode = "413", description = "Body over bullpen.producer.max-payload", content = @Content(mediaType = PROBLEM, schema = @Schema(ref = API_PROBLEM)))
    @ApiResponse(responseCode = "503", description = "The broker or Redis is unreachable or did not confirm",
            content = @Content(mediaType = PROBLEM, schema = @Schema(ref = API_PROBLEM)))
    ResponseEntity<WorkflowAccepted> start(HttpServletRequest request) throws IOException {
        byte[] body = bodyLimit.read(request.getInputStream(), request.getContentLengthLong());
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JacksonException ex) {
            throw new InvalidWorkflowException("body", "not valid JSON: " + ex.getOriginalMessage());
        }
        Workflow workflow = WorkflowRequestReader.parse(json, queues::refusal);
        WorkflowAccepted accepted = switch (workflow) {
            case Workflow.Group group -> {
                GroupHandle sent = client.apply(group);
                yield new WorkflowAccepted("group", sent.id(), sent.members().stream().map(m -> m.id()).toList());
            }
            case Workflow.Chain chain -> new WorkflowAccepted("chain", client.apply(chain).id(), null);
            case Workflow.Chord chord -> new WorkflowAccepted("chord", client.apply(chord).id(), null);
            case Workflow.Step step -> new WorkflowAccepted("task", client.apply(step).id(), null);
            case PoolMap pool -> {
                MapHandle sent = client.apply(pool);
                maps.save(sent.id(), pool);
                yield new WorkflowAccepted(PoolMapReader.kindName(pool), sent.id(), sent.tasks().stream().map(m -> m.id()).toList());
            }
        };
        String where = switch (accepted.kind()) {
            case "group" -> "/api/groups/";
            case "map", "starmap", "chunks" -> "/api/maps/";
            default -> "/api/tasks/";
        } + accepted.id();
        return ResponseEntity.accepted().location(URI.create(where)).body(accepted);
    }

    @GetMapping("/api/groups/{id}")
    @Operation(summary = "Read a group's progress and results",
            description = "Works for groups started here or by any Celery client that saved them "
                    + "(GroupResult.save()): celery-taskset-meta-<id> in Redis.")
    @ApiResponse(responseCode = "200", description = "Progress now, and the results in member order",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = GroupStatus.class)))
    @ApiResponse(responseCode = "404", description = "No saved group has this id (or it expired)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(ref = API_PROBLEM)))
    @ApiResponse(responseCode = "503", description = "Redis is unreachable", content = @Content(mediaType = PROBLEM, schema = @Schema(ref = API_PROBLEM)))
    GroupStatus group(@PathVariable String id) {
        checkId(id);
        GroupHandle group = client.group(id).orElseThrow(() -> {
            return Problems.of(HttpStatus.NOT_FOUND, "no saved group has id '"
                    + (id.length() > 64 ? id.substring(0, 64) + "..." : id) + "': it was never saved, or it expired")
                    .title("Group not found").exception();
        });
        return GroupStatus.of(id, group.results());
    }

    @GetMapping("/api/maps/{id}")
    @Operation(summary = "Read a pool map's progress, results in input order and failures by index",
            description = "For a map, starmap or chunks started with POST /api/workflows. Results are one per input, "
                    + "also for chunks; a failed input is named by its index, with the input and the error. A "
                    + "chunk stops at its first failed input, so its later inputs have no result either.")
    @ApiResponse(responseCode = "200", description = "Progress now, the results in input order, the failed inputs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = MapStatus.class)))
    @ApiResponse(responseCode = "404", description = "No pool map has this id (or it expired)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(ref = API_PROBLEM)))
    @ApiResponse(responseCode = "503", description = "Redis is unreachable", content = @Content(mediaType = PROBLEM, schema = @Schema(ref = API_PROBLEM)))
    MapStatus map(@PathVariable String id) {
        checkId(id);
        MapHandle map = maps.find(id).flatMap(pool -> client.poolMap(id, pool)).orElseThrow(() -> {
            return Problems.of(HttpStatus.NOT_FOUND, "no pool map has id '"
                    + (id.length() > 64 ? id.substring(0, 64) + "..." : id) + "': it was never started here, or it expired")
                    .title("Map not found").exception();
        });
        return MapStatus.of(map);
    }

    /** An id from the path becomes a Redis key: bounded, and no control characters. */
    private static void checkId(String id) {
        if (id.length() > 255) {
            throw new InvalidWorkflowException("id", "an id is at most 255 characters, got " + id.length());
        }
        WorkflowRequestReader.noControlCharacters("id", id);
    }
}
