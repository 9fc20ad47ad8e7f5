package dev.bullpen.producer.schedule;

import dev.bullpen.producer.queues.QueuePolicy;
import dev.bullpen.producer.schedule.ScheduleStore.Saved;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;

/** Periodic tasks over HTTP, kept in Redis beside the ones from {@code bullpen.schedules}. */
@RestController
@RequestMapping("/api/schedules")
@Tag(name = "Schedules", description = "Periodic tasks: cron or interval, fired once per tick by all producers together")
class ScheduleController {

    static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    private final ScheduleStore store;
    private final Scheduler scheduler;
    private final QueuePolicy queues;

    ScheduleController(ScheduleStore store, Scheduler scheduler, QueuePolicy queues) {
        this.store = store;
        this.scheduler = scheduler;
        this.queues = queues;
    }

    @GetMapping
    @Operation(summary = "List the schedules", description = "Every schedule of this key prefix, config and API "
            + "ones, by name, with its next and last run.")
    @ApiResponse(responseCode = "200", description = "The schedules", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, array = @ArraySchema(schema = @Schema(implementation = ScheduleView.class))))
    @ApiResponse(responseCode = "503", description = "Redis is unreachable",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    List<ScheduleView> list() {
        return store.all().stream().map(s -> ScheduleView.of(s, store.runs(s))).toList();
    }

    @GetMapping("/{name}")
    @Operation(summary = "Read a schedule and its runs")
    @ApiResponse(responseCode = "200", description = "The schedule", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ScheduleView.class)))
    @ApiResponse(responseCode = "404", description = "No schedule of that name",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    @ApiResponse(responseCode = "503", description = "Redis is unreachable",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    ScheduleView get(@PathVariable String name) {
        Schedule schedule = store.find(name).orElseThrow(() -> new ScheduleNotFoundException(name));
        return ScheduleView.of(schedule, store.runs(schedule));
    }

    @PostMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    @Operation(summary = "Create or replace a schedule",
            description = "Its first tick is the trigger's first after now. Replacing a schedule with the same "
                    + "trigger keeps its next tick and its counts; with another trigger it starts again from now. "
                    + "A schedule from bullpen.schedules cannot be replaced here: change the configuration.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = ScheduleRequest.class))))
    @ApiResponse(responseCode = "201", description = "Created; Location is the schedule", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ScheduleView.class)))
    @ApiResponse(responseCode = "200", description = "Replaced", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ScheduleView.class)))
    @ApiResponse(responseCode = "400", description = "Invalid schedule: bad cron or one that never fires, unknown "
            + "zone, no task, both or neither of cron and interval, a queue not configured...; field names it",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    @ApiResponse(responseCode = "409", description = "A schedule of that name comes from bullpen.schedules",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    @ApiResponse(responseCode = "503", description = "Redis is unreachable: nothing was saved",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    ResponseEntity<ScheduleView> create(@RequestBody JsonNode body) {
        Schedule schedule = ScheduleJson.fromRequest(body);
        String refused = schedule.queue() == null ? null : queues.refusal(schedule.queue());
        if (refused != null) {
            throw new InvalidScheduleException("queue", refused);
        }
        Saved saved = store.save(schedule, Instant.now());
        if (saved == Saved.REFUSED_CONFIG) {
            throw new ScheduleConflictException(schedule.name());
        }
        scheduler.wake();
        ScheduleView view = ScheduleView.of(schedule, store.runs(schedule));
        return saved == Saved.CREATED
                ? ResponseEntity.created(UriComponentsBuilder.fromPath("/api/schedules/{name}")
                        .buildAndExpand(schedule.name()).encode().toUri()).body(view)
                : ResponseEntity.ok(view);
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a schedule", description = "No tick of it fires afterwards. A schedule from "
            + "bullpen.schedules comes back on the next start of a producer that has it in its configuration.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No schedule of that name",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    @ApiResponse(responseCode = "503", description = "Redis is unreachable",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ScheduleProblems.Problem.class)))
    ResponseEntity<Void> delete(@PathVariable String name) {
        if (!store.delete(name)) {
            throw new ScheduleNotFoundException(name);
        }
        return ResponseEntity.noContent().build();
    }

    static final class ScheduleNotFoundException extends RuntimeException {
        ScheduleNotFoundException(String name) {
            super("no schedule named '" + name + "'");
        }
    }

    static final class ScheduleConflictException extends RuntimeException {
        ScheduleConflictException(String name) {
            super("schedule '" + name + "' is defined in bullpen.schedules; change it there (the API may delete it, "
                    + "and it returns on the next producer start)");
        }
    }
}
