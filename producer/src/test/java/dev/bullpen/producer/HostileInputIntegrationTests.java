package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Hostile text is refused at the door and escaped in the log anyway: control characters in task,
 * queue and worker names, ids and keys; an eta beyond the cap countdown has; a cron that never fires.
 * Requests Tomcat refuses before the API sees them (a malformed path, an overlong request line, a
 * bad header) answer problem+json like every other error, not Tomcat's HTML page. Nothing is published.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class HostileInputIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final TestBroker broker = new TestBroker(services);

    static final String TASKS = broker.queue("tasks");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.client.default-queue", () -> TASKS);
    }

    @BeforeAll
    static void declareQueues() throws Exception {
        broker.declare(TASKS);
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        broker.close();
    }

    @AfterEach
    void nothingWasPublished() throws Exception {
        assertThat(broker.messageCount(TASKS)).as("messages on the default queue").isZero();
    }

    static Stream<Arguments> controlCharacters() {
        return Stream.of(
                Arguments.of("/api/tasks", "{\"task\": \"demo.add\\nINFO forged line\"}", "task"),
                Arguments.of("/api/tasks", "{\"task\": \"demo.add\\r\"}", "task"),
                Arguments.of("/api/tasks", "{\"task\": \"demo.\\u001b[2Jadd\"}", "task"),
                Arguments.of("/api/tasks", "{\"task\": \"demo.add\\u2028\"}", "task"),
                Arguments.of("/api/tasks", "{\"task\": \"demo.\\u202eadd\"}", "task"),
                Arguments.of("/api/tasks", "{\"task\": \"demo.add\", \"queue\": \"" + TASKS + "\\n\"}", "queue"),
                Arguments.of("/api/tasks", "{\"task\": \"demo.add\", \"worker\": \"w@host\\n\"}", "worker"),
                Arguments.of("/api/tasks", "{\"task\": \"" + "x".repeat(256) + "\"}", "task"),
                Arguments.of("/api/workflows", "{\"chain\": [{\"task\": \"demo.add\\n\"}]}", "chain[0].task"),
                Arguments.of("/api/workflows", "{\"map\": {\"task\": \"demo.echo\\n\", \"items\": [1]}}", "map.task"),
                Arguments.of("/api/schedules", "{\"name\": \"n\", \"task\": \"demo.add\\n\", \"interval\": 60}", "task"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("controlCharacters")
    void controlCharactersInNamesAreRefused(String path, String body, String field) {
        JsonNode problem = ProducerHttp.problem(http().postJson(path, body), 400);

        assertThat(problem.path("field").asString()).isEqualTo(field);
    }

    @Test
    void idsInThePathWithControlCharactersAreRefused() {
        for (String path : new String[] {"/api/tasks/a%0Ab", "/api/tasks/a%1Bb", "/api/groups/a%0Ab", "/api/maps/a%0Db"}) {
            assertThat(ProducerHttp.problem(http().get(path), 400).path("field").asString()).as(path).isEqualTo("id");
        }
        HttpResponse<String> revoke = http().send(http().request("/api/tasks/a%0Ab").DELETE().build());
        assertThat(ProducerHttp.problem(revoke, 400).path("field").asString()).isEqualTo("id");
        String overlong = "a".repeat(256);
        assertThat(ProducerHttp.problem(http().get("/api/tasks/" + overlong), 400).path("field").asString()).isEqualTo("id");
    }

    @Test
    void anIdempotencyKeyWithAControlCharacterIsRefused() throws Exception {
        String request = "POST /api/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Idempotency-Key: a\u0001b\r\nContent-Length: 20\r\nConnection: close\r\n\r\n{\"task\": \"demo.add\"}";

        Raw answer = raw(request);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
    }

    @Test
    void anEtaBeyondTenYearsIsRefusedLikeACountdown() {
        String eta = Instant.now().plus(3660 + 10 * 365, ChronoUnit.DAYS).toString();

        JsonNode problem = ProducerHttp.problem(http().postJson("/api/tasks", "{\"task\": \"demo.add\", \"eta\": \"" + eta + "\"}"), 400);

        assertThat(problem.path("field").asString()).isEqualTo("eta");
        assertThat(problem.path("detail").asString()).contains("10 years");
    }

    @Test
    void aCronThatNeverFiresIsRefusedAtCreation() {
        JsonNode problem = ProducerHttp.problem(http().postJson("/api/schedules", "{\"name\": \"never\", \"task\": \"demo.add\", "
                + "\"cron\": \"0 0 30 2 *\"}"), 400);

        assertThat(problem.path("field").asString()).isEqualTo("cron");
        assertThat(problem.path("detail").asString()).contains("never fires");
        assertThat(http().get("/api/schedules/never").statusCode()).isEqualTo(404);
    }

    static Stream<Arguments> requestsTomcatRefuses() {
        String crlf = "\r\nHost: localhost\r\nAccept: text/html\r\nConnection: close\r\n\r\n";
        return Stream.of(
                Arguments.of("encoded slash and dots", "GET /api/tasks/..%2F..%2Factuator HTTP/1.1" + crlf),
                Arguments.of("NUL in the path", "GET /api/tasks/a%00b HTTP/1.1" + crlf),
                Arguments.of("a 10 KB id", "GET /api/tasks/" + "a".repeat(10 * 1024) + " HTTP/1.1" + crlf),
                Arguments.of("a backslash", "GET /api/tasks/a\\b HTTP/1.1" + crlf),
                Arguments.of("a bad escape", "GET /api/tasks/%zz HTTP/1.1" + crlf),
                Arguments.of("a header name with a space", "GET /api/tasks/x HTTP/1.1\r\nHost: localhost\r\nBad Header: y\r\n"
                        + "Connection: close\r\n\r\n"),
                Arguments.of("a 20 KB header", "GET /api/tasks/x HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                        + "b".repeat(20 * 1024) + "\r\nConnection: close\r\n\r\n"),
                Arguments.of("a bad method", "G(T /api/tasks/x HTTP/1.1" + crlf));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestsTomcatRefuses")
    void requestsTomcatRefusesAnswerProblemJsonNotItsHtmlPage(String name, String request) throws Exception {
        Raw answer = raw(request);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body()).doesNotContain("<html").doesNotContain("Tomcat");
        JsonNode problem = CeleryJson.mapper().readTree(answer.body());
        assertThat(problem.path("status").asInt()).isEqualTo(400);
        assertThat(problem.path("title").asString()).isEqualTo("Bad Request");
        assertThat(problem.path("detail").asString()).isNotBlank();
    }

    @Test
    void theErrorPathItselfIsAProblemToo() {
        HttpResponse<String> response = http().send(http().request("/error").header("Accept", "text/html").GET().build());

        JsonNode problem = ProducerHttp.problem(response, 404);
        assertThat(problem.path("title").asString()).isEqualTo("Not Found");
    }

    @Test
    void aLogMessageWithControlCharactersStaysOnOneLine(CapturedOutput output) {
        LoggerFactory.getLogger(HostileInputIntegrationTests.class)
                .warn("Received task {}", "demo.add\nERROR forged line\r\u001b[31m");

        assertThat(output.getOut()).contains("Received task demo.add\\nERROR forged line\\r\\u001b[31m")
                .doesNotContain("\nERROR forged line");
    }

    /** What a raw request got: status, content type and body. */
    record Raw(int status, String contentType, String body) {
    }

    /** A request written to a socket as it is, so that nothing on the way fixes it. */
    private Raw raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    read.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException ex) {
                // Tomcat may reset the connection once it has answered; what came is the answer.
            }
            String text = read.toString(StandardCharsets.ISO_8859_1);
            int headersEnd = text.indexOf("\r\n\r\n");
            assertThat(headersEnd).as("an HTTP answer: " + text).isPositive();
            String head = text.substring(0, headersEnd);
            int status = Integer.parseInt(head.substring(9, 12));
            String contentType = head.lines().filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13))
                    .map(l -> l.substring(13).trim()).findFirst().orElse("");
            String body = text.substring(headersEnd + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("\r\n0\r\n"));
            }
            return new Raw(status, contentType, body);
        }
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }
}
