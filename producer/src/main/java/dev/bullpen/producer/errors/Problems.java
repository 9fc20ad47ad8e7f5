package dev.bullpen.producer.errors;

import dev.bullpen.protocol.CeleryJson;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one way the producer builds an RFC 9457 problem: a status and a detail that says what to do,
 * a title, the request field at fault, any other property, and a {@code Retry-After} where trying
 * again helps. Answered from an {@code @ExceptionHandler} ({@link #response()}) or thrown from a
 * handler method ({@link #exception()}); Spring fills in {@code instance} with the request path.
 *
 * <pre>{@code
 * return Problems.of(HttpStatus.BAD_REQUEST, ex.getMessage()).title("Invalid task request").field(ex.field()).response();
 * }</pre>
 */
public final class Problems {

    /** {@code Retry-After} for an outage (broker, Redis): a hint, since clients reconnect on the next request anyway. */
    public static final String RETRY_AFTER_SECONDS = "5";

    static final String CONTENT_TYPE = MediaType.APPLICATION_PROBLEM_JSON_VALUE + ";charset=UTF-8";

    private final HttpStatusCode status;
    private final ProblemDetail problem;
    private final HttpHeaders headers = new HttpHeaders();

    private Problems(HttpStatusCode status, @Nullable String detail) {
        this.status = status;
        this.problem = ProblemDetail.forStatusAndDetail(status, detail);
    }

    /** A problem with this status and detail; the title is the status's reason phrase until {@link #title} says otherwise. */
    public static Problems of(HttpStatusCode status, @Nullable String detail) {
        return new Problems(status, detail);
    }

    /** A short summary of the problem type, the same for every problem of that type. */
    public Problems title(@Nullable String title) {
        problem.setTitle(title);
        return this;
    }

    /** The request field at fault ({@code field}): what the caller must change. */
    public Problems field(@Nullable String field) {
        return property("field", field);
    }

    /** Any other member of the problem document; members appear in the order they were added. */
    public Problems property(String name, @Nullable Object value) {
        problem.setProperty(name, value);
        return this;
    }

    /** A {@code Retry-After} header: trying again later may succeed. */
    public Problems retryAfter(String seconds) {
        headers.set(HttpHeaders.RETRY_AFTER, seconds);
        return this;
    }

    /** The problem as the answer of an {@code @ExceptionHandler}. */
    public ResponseEntity<ProblemDetail> response() {
        return ResponseEntity.status(status).headers(headers).body(problem);
    }

    /** The problem as an exception to throw from a handler method; Spring answers it as it is. */
    public ErrorResponseException exception() {
        ErrorResponseException ex = new ErrorResponseException(status, problem, null);
        ex.getHeaders().addAll(headers);
        return ex;
    }

    /**
     * A problem written outside Spring MVC, where no message converter runs (Tomcat's error report,
     * {@code /error}): its reason phrase as the title, and a detail that says what to do.
     */
    static String json(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        ObjectNode problem = CeleryJson.mapper().createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", known == null ? "Error" : known.getReasonPhrase());
        problem.put("status", status);
        problem.put("detail", detail(status));
        return problem.toString();
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "The request was refused before the API read it: its path is not validly encoded (e.g. "
                    + "%00, %2F or a backslash in it), or its request line or headers are malformed or longer than "
                    + "the server takes (server.max-http-request-header-size, 8KB by default)";
            case 404 -> "No resource at this path; the API is under /api (see /v3/api-docs)";
            case 405 -> "This path does not take this method";
            case 505 -> "Only HTTP/1.1 and HTTP/1.0 are served";
            default -> status >= 500 ? "The producer failed to handle the request; see its log"
                    : "The request was refused";
        };
    }
}
