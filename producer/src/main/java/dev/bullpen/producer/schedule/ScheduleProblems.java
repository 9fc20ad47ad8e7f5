package dev.bullpen.producer.schedule;

import dev.bullpen.producer.errors.Problems;
import dev.bullpen.producer.schedule.ScheduleController.ScheduleConflictException;
import dev.bullpen.producer.schedule.ScheduleController.ScheduleNotFoundException;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The schedule API's own errors as RFC 9457 problems. Ordered ahead of the producer's general handler,
 * whose catch-all would otherwise answer them as 500; the framework's errors (bad JSON, wrong media
 * type) still go to that one.
 */
@RestControllerAdvice(assignableTypes = ScheduleController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ScheduleProblems {

    private static final Logger log = LoggerFactory.getLogger(ScheduleProblems.class);

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalid(InvalidScheduleException ex) {
        return Problems.of(HttpStatus.BAD_REQUEST, ex.getMessage()).title("Invalid schedule").field(ex.field()).response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(ScheduleNotFoundException ex) {
        return Problems.of(HttpStatus.NOT_FOUND, ex.getMessage()).title("Schedule not found").response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> conflict(ScheduleConflictException ex) {
        return Problems.of(HttpStatus.CONFLICT, ex.getMessage()).title("Schedule defined in configuration").field("name")
                .response();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> redisUnavailable(DataAccessException ex) {
        log.warn("Schedules not reachable in Redis: {}", ex.toString());
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE,
                "The schedules could not be read or written in Redis: " + ex.getMessage())
                .title("Redis unavailable").retryAfter(Problems.RETRY_AFTER_SECONDS).response();
    }

    /** How the problems look on the wire, for the OpenAPI document only. */
    @Schema(name = "ScheduleProblem", description = "RFC 9457 problem details, served as application/problem+json")
    record Problem(@Schema(example = "about:blank") String type, @Schema(example = "Invalid schedule") String title,
            @Schema(example = "400") int status,
            @Schema(example = "zone must be a time zone id such as Europe/Berlin or UTC, got \"Mars/Olympus\"") String detail,
            @Schema(example = "/api/schedules") String instance,
            @Schema(description = "The request field at fault, on 400 and 409", example = "zone",
                    requiredMode = Schema.RequiredMode.NOT_REQUIRED) @Nullable String field) {
    }
}
