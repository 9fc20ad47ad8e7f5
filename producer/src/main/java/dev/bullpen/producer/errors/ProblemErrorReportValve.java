package dev.bullpen.producer.errors;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error report, as problem+json instead of its HTML page. It answers the errors Tomcat
 * raises before a request reaches the application (an invalid path, a request line or a header
 * over the limit): those never reach Spring's error handling. Says nothing of the server nor of the
 * request's content.
 */
class ProblemErrorReportValve extends ErrorReportValve {

    ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get() || !response.setErrorReported()) {
            return;
        }
        try {
            response.setContentType(Problems.CONTENT_TYPE);
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(Problems.json(status));
            }
        } catch (IOException | IllegalStateException ex) {
            // The connection is gone, or the response committed meanwhile: nothing left to tell.
        }
    }
}
