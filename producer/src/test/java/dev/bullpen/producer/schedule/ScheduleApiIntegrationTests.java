package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.producer.schedule.ScheduleFixture.Published;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/schedules} over real HTTP: config schedules listed with their source, create, read,
 * replace and delete, runs visible with their tick and task id, and each refusal an RFC 9457 problem
 * naming its field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ScheduleApiIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final ScheduleFixture fixture = new ScheduleFixture(services);


    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("bullpen.schedules.nightly-report.cron", () -> "0 3 * * *");
        registry.add("bullpen.schedules.nightly-report.zone", () -> "Europe/Berlin");
        registry.add("bullpen.schedules.nightly-report.task", () -> "reports.build");
        registry.add("bullpen.schedules.nightly-report.args", () -> "[\"daily\"]");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        fixture.close();
    }

    @Test
    void configSchedulesAreListedWithTheirSourceAndNextRun() {
        HttpResponse<String> list = send("GET", "/api/schedules", null);

        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode report = find(json(list), "nightly-report");
        assertThat(report.path("source").asString()).isEqualTo("config");
        assertThat(report.path("cron").asString()).isEqualTo("0 3 * * *");
        assertThat(report.path("zone").asString()).isEqualTo("Europe/Berlin");
        assertThat(report.path("args").toString()).isEqualTo("[\"daily\"]");
        Instant next = Instant.parse(report.path("next_run_at").asString());
        assertThat(next.atZone(java.time.ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(3);
        assertThat(report.path("last_run_at").isNull()).isTrue();
        assertThat(report.path("total_run_count").asLong()).isZero();
    }

    @Test
    void aScheduleIsCreatedReadRunReplacedAndDeleted() throws Exception {
        String queue = fixture.queue("api");
        String body = """
                {"name": "api-every-second", "interval": 1, "task": "test.api", "args": [2, 3],
                 "kwargs": {"x": 1.5}, "queue": "%s", "expires": 30}""".formatted(queue);

        HttpResponse<String> created = send("POST", "/api/schedules", body);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/schedules/api-every-second");
        assertThat(json(created).path("source").asString()).isEqualTo("api");
        assertThat(json(created).path("interval").toString()).isEqualTo("1");
        assertThat(find(json(send("GET", "/api/schedules", null)), "api-every-second")).isNotNull();

        await().atMost(Duration.ofSeconds(20)).until(() ->
                json(send("GET", "/api/schedules/api-every-second", null)).path("total_run_count").asLong() >= 2);
        JsonNode ran = json(send("GET", "/api/schedules/api-every-second", null));
        Instant lastRun = Instant.parse(ran.path("last_run_at").asString());
        assertThat(ran.path("last_task_id").asString()).isEqualTo(fixture.idOf("api-every-second", lastRun));
        assertThat(Instant.parse(ran.path("next_run_at").asString())).isAfter(lastRun);
        assertThat(Instant.parse(ran.path("last_published_at").asString())).isAfterOrEqualTo(lastRun);

        HttpResponse<String> replaced = send("POST", "/api/schedules", body.replace("test.api", "test.api2"));
        assertThat(replaced.statusCode()).as("same name again replaces").isEqualTo(200);
        assertThat(json(replaced).path("task").asString()).isEqualTo("test.api2");
        assertThat(json(replaced).path("total_run_count").asLong()).as("same trigger: counts kept").isGreaterThanOrEqualTo(2);

        HttpResponse<String> deleted = send("DELETE", "/api/schedules/api-every-second", null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        HttpResponse<String> gone = send("GET", "/api/schedules/api-every-second", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(send("DELETE", "/api/schedules/api-every-second", null).statusCode()).isEqualTo(404);

        List<Published> messages = fixture.drain(queue);
        assertThat(messages).extracting(Published::id).doesNotHaveDuplicates()
                .contains(fixture.idOf("api-every-second", lastRun));
        assertThat(messages).extracting(Published::task).contains("test.api").isSubsetOf("test.api", "test.api2");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            bad cron          | {"name": "b", "task": "t", "cron": "61 * * * *"}                 | cron     | cron must be 5 fields
            six fields wrong  | {"name": "b", "task": "t", "cron": "* * * * * * *"}              | cron     | cron must be 5 fields
            unknown zone      | {"name": "b", "task": "t", "cron": "0 9 * * *", "zone": "Mars/Olympus"} | zone | Mars/Olympus
            missing task      | {"name": "b", "interval": 10}                                    | task     | task is required
            cron and interval | {"name": "b", "task": "t", "cron": "0 9 * * *", "interval": 10}  | interval | exactly one of cron and interval, got both
            neither           | {"name": "b", "task": "t"}                                       | cron     | got neither
            short interval    | {"name": "b", "task": "t", "interval": 0.5}                      | interval | at least 1 s
            bad name          | {"name": "a b", "task": "t", "interval": 10}                     | name     | name must be
            args not an array | {"name": "b", "task": "t", "interval": 10, "args": {"a": 1}}     | args     | args must be a JSON array
            unknown field     | {"name": "b", "task": "t", "every": 10}                          | every    | unknown field
            zone for interval | {"name": "b", "task": "t", "interval": 10, "zone": "UTC"}        | zone     | cron only
            """)
    void anInvalidScheduleIsA400ProblemNamingItsField(String caseName, String body, String field, String detail) {
        HttpResponse<String> refused = send("POST", "/api/schedules", body);

        assertThat(refused.statusCode()).as(caseName).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = json(refused);
        assertThat(problem.path("title").asString()).isEqualTo("Invalid schedule");
        assertThat(problem.path("field").asString()).isEqualTo(field);
        assertThat(problem.path("detail").asString()).contains(detail);
        assertThat(send("GET", "/api/schedules/b", null).statusCode()).as("nothing saved").isEqualTo(404);
    }

    @Test
    void malformedJsonIsA400Problem() {
        HttpResponse<String> refused = send("POST", "/api/schedules", "{\"name\": ");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }

    @Test
    void aConfigScheduleCannotBeReplacedOverHttp() {
        HttpResponse<String> refused = send("POST", "/api/schedules",
                "{\"name\": \"nightly-report\", \"task\": \"other\", \"interval\": 10}");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).path("detail").asString()).contains("bullpen.schedules");
        assertThat(json(send("GET", "/api/schedules/nightly-report", null)).path("task").asString()).isEqualTo("reports.build");
    }

    @Test
    void theOpenApiDocumentDescribesTheSchedules() {
        JsonNode doc = json(send("GET", "/v3/api-docs", null));

        JsonNode schedules = doc.path("paths").path("/api/schedules");
        assertThat(schedules.has("get")).isTrue();
        assertThat(schedules.path("post").path("responses").has("400")).isTrue();
        assertThat(doc.path("paths").path("/api/schedules/{name}").has("delete")).isTrue();
        assertThat(doc.path("components").path("schemas").path("Schedule").path("properties").has("next_run_at")).isTrue();
    }

    private HttpResponse<String> send(String method, String path, String body) {
        return new TestHttp(port).send(method, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return CeleryJson.mapper().readTree(response.body());
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode schedule : list) {
            if (schedule.path("name").asString().equals(name)) {
                return schedule;
            }
        }
        throw new AssertionError("no schedule " + name + " in " + list);
    }
}
