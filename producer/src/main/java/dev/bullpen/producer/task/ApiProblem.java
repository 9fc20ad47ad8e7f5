package dev.bullpen.producer.task;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * How the API's errors look on the wire, for the OpenAPI document only: Spring's
 * {@link org.springframework.http.ProblemDetail} renders its extra properties at the top level, which
 * its own schema does not show.
 */
@Schema(name = "Problem", description = "RFC 9457 problem details, served as application/problem+json")
record ApiProblem(
        @Schema(description = "A URI reference naming the problem type", example = "about:blank") String type,
        @Schema(description = "A short summary of the problem type", example = "Invalid task request") String title,
        @Schema(description = "The HTTP status", example = "400") int status,
        @Schema(description = "What is wrong with this request", example = "args must be a JSON array, got an object")
        String detail,
        @Schema(description = "The request path", example = "/api/tasks") String instance,
        @Schema(description = "The request field at fault, on 400 and 413; task_id or Idempotency-Key on 409, "
                + "Idempotency-Key on 422",
                example = "args",
                requiredMode = Schema.RequiredMode.NOT_REQUIRED) @Nullable String field) {
}
