package dev.bullpen.producer.errors;

import dev.bullpen.protocol.CeleryJson;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.node.ObjectNode;

/** The problem documents written outside Spring MVC, where no message converter runs. */
final class Problems {

    static final String CONTENT_TYPE = MediaType.APPLICATION_PROBLEM_JSON_VALUE + ";charset=UTF-8";

    private Problems() {
    }

    /** A problem for a status: its reason phrase as the title, and a detail that says what to do. */
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
