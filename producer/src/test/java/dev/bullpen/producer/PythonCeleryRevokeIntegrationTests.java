package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.NeedsPython;
import dev.bullpen.test.PythonCeleryWorker;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A revoke from Bullpen ({@link dev.bullpen.client.TaskControl#revoke} and {@code DELETE /api/tasks/{id}}) reaches a
 * real Python Celery 5 worker, which keeps revocations in memory and never reads Bullpen's: through
 * the remote-control broadcast on {@code celery.pidbox}. A task waiting for its countdown never runs
 * (the Python worker stores REVOKED when it comes due); with terminate a running one is killed
 * ({@code SIGTERM} to its prefork child) and stores REVOKED {@code terminated}. {@code py.mark}
 * marks in Redis that it started, so "never ran" is seen, not assumed. An {@code expires} set in
 * Java revokes the same way.
 */
@NeedsPython
@SpringBootTest(classes = ProducerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PythonCeleryRevokeIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("python-revoke");
    static final Duration WAIT = Duration.ofSeconds(20);
    /** Longer than any wait here: a task of this length that finishes was not terminated. */
    static final int LONG_SLEEP = 60;

    @RegisterExtension
    static final PythonCeleryWorker python = PythonCeleryWorker.on(services, QUEUE).build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @LocalServerPort
    int port;

    @Autowired
    TaskClient client;

    @Test
    void taskClientRevokeStopsAPythonTaskWaitingForItsCountdown() {
        TaskHandle later = client.send("py.mark", List.of(0), Map.of(),
                TaskOptions.defaults().countdown(Duration.ofSeconds(3)));

        client.control().revoke(later.id());

        assertRevoked(later, "revoked");
        assertThat(started(later.id())).as("the Python task never ran; worker log:%n%s", python.log()).isFalse();
    }

    @Test
    void httpDeleteStopsAPythonTaskWaitingForItsCountdown() {
        String id = submit("{\"task\": \"py.mark\", \"args\": [0], \"countdown\": 3}");

        HttpResponse<String> revoked = delete("/api/tasks/" + id);

        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(202);
        JsonNode status = ProducerHttp.json(http().get("/api/tasks/" + id + "?wait=15"));
        assertThat(status.path("state").asString()).as("%s; worker log:%n%s", status, python.log()).isEqualTo("REVOKED");
        assertThat(status.path("error").path("type").asString()).isEqualTo("TaskRevokedError");
        assertThat(status.path("error").path("message").asString()).isEqualTo("revoked");
        assertThat(started(id)).as("the Python task never ran").isFalse();
    }

    @Test
    void aPythonTaskPastItsExpiresFromJavaIsRevokedNotRun() {
        // Due in 3 s, expired after 1: the Python worker holds it for its eta, then finds it expired.
        TaskHandle expiring = client.send("py.mark", List.of(0), Map.of(),
                TaskOptions.defaults().countdown(Duration.ofSeconds(3)).expiresIn(Duration.ofSeconds(1)));

        assertRevoked(expiring, "expired");
        assertThat(started(expiring.id())).as("the Python task never ran").isFalse();
    }

    @Test
    void taskClientRevokeWithTerminateKillsARunningPythonTask() {
        TaskHandle running = client.send("py.mark", List.of(LONG_SLEEP));
        await().atMost(WAIT).until(() -> started(running.id()));

        client.control().revoke(running.id(), true);

        // Well within the 60 s it sleeps: only a killed task is REVOKED by then.
        assertRevoked(running, "terminated");
    }

    @Test
    void httpDeleteWithTerminateKillsARunningPythonTask() {
        String id = submit("{\"task\": \"py.mark\", \"args\": [" + LONG_SLEEP + "]}");
        await().atMost(WAIT).until(() -> started(id));

        assertThat(delete("/api/tasks/" + id + "?terminate=true").statusCode()).isEqualTo(202);

        JsonNode status = ProducerHttp.json(http().get("/api/tasks/" + id + "?wait=15"));
        assertThat(status.path("state").asString()).as("%s; worker log:%n%s", status, python.log()).isEqualTo("REVOKED");
        assertThat(status.path("error").path("message").asString()).isEqualTo("terminated");
    }

    private void assertRevoked(TaskHandle handle, String reason) {
        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));
        assertThat(failed).as("worker log:%n%s", python.log()).isNotNull();
        assertThat(failed.state()).isEqualTo(TaskState.REVOKED);
        assertThat(failed.remoteType()).isEqualTo("TaskRevokedError");
        assertThat(failed.error().module()).isEqualTo("celery.exceptions");
        assertThat(failed.remoteMessage()).isEqualTo(reason);
    }

    /** Whether {@code py.mark} started for this id: it sets {@code <prefix>pytest-ran-<id>} first thing. */
    private static boolean started(String id) {
        try (var redis = services.redisConnectionFactory().getConnection()) {
            return Boolean.TRUE.equals(redis.keyCommands()
                    .exists((services.redisPrefix() + "pytest-ran-" + id).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private ProducerHttp http() {
        return new ProducerHttp(port);
    }

    private HttpResponse<String> delete(String path) {
        return http().send(http().request(path).DELETE().build());
    }

    private String submit(String body) {
        HttpResponse<String> response = http().postJson(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return ProducerHttp.json(response).get("id").stringValue();
    }
}
