package dev.bullpen.producer.errors;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /error}, where the servlet container forwards what the API's handlers did not answer (an
 * error in a filter, a {@code sendError}), as problem+json rather than Boot's own JSON or its HTML
 * page. Written straight to the response: it must answer whatever the request's Accept header says.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // Asked for directly, /error is not an error of its own: there is nothing at that path.
        int status = code instanceof Integer given && given >= 400 ? given : 404;
        byte[] body = Problems.json(status).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(Problems.CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
