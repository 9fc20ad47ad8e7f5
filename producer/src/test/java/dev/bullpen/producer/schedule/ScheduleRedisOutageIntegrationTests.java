package dev.bullpen.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.producer.schedule.ScheduleFixture.Published;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.TcpProxy;
import dev.bullpen.test.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Without Redis the schedule API answers 503 problems and nothing fires; once Redis answers again
 * the API and the scheduler carry on by themselves, and no tick ran twice. The producer reaches the
 * shared Redis through a {@link TcpProxy} switched off and on; Redis itself is never stopped.
 */
class ScheduleRedisOutageIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final ScheduleFixture fixture = new ScheduleFixture(services);


    static TcpProxy proxy;

    @AfterAll
    static void cleanUp() throws Exception {
        fixture.close();
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void theApiAnswers503WithoutRedisAndEverythingResumesWhenItIsBack() throws Exception {
        String name = "redis-outage";
        String queue = fixture.queue(name);
        proxy = new TcpProxy(services.redisUri().getHost(), services.redisUri().getPort()).start();
        ConfigurableApplicationContext producer = fixture.webProducer(Map.of(
                "spring.data.redis.host", "127.0.0.1",
                "spring.data.redis.port", Integer.toString(proxy.port()),
                "spring.data.redis.timeout", "2s",
                "bullpen.schedules." + name + ".interval", "1s",
                "bullpen.schedules." + name + ".task", "test.redis",
                "bullpen.schedules." + name + ".queue", queue));
        int port = Integer.parseInt(producer.getEnvironment().getProperty("local.server.port"));
        await().atMost(Duration.ofSeconds(30)).until(() -> runCount(port, name) >= 1);

        proxy.stop();
        HttpResponse<String> list = send(port, "GET", "/api/schedules", null);
        HttpResponse<String> create = send(port, "POST", "/api/schedules",
                "{\"name\": \"during\", \"task\": \"t\", \"interval\": 10}");

        for (HttpResponse<String> refused : List.of(list, create)) {
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(CeleryJson.mapper().readTree(refused.body()).path("title").asString()).isEqualTo("Redis unavailable");
        }

        proxy.start();
        long before = fixture.runs(name).totalRunCount();
        await().atMost(Duration.ofSeconds(30)).until(() -> runCount(port, name) >= before + 2);
        producer.close();

        ScheduleRuns after = fixture.runs(name);
        List<String> ids = fixture.drain(queue).stream().map(Published::id).toList();
        assertThat(ids).as("one message per run, no id twice").doesNotHaveDuplicates().hasSize((int) after.totalRunCount());
        assertThat(ids).contains(after.lastTaskId());
        assertThat(fixture.store().find("during")).as("nothing saved without Redis").isEmpty();
    }

    private static long runCount(int port, String name) {
        HttpResponse<String> response = send(port, "GET", "/api/schedules/" + name, null);
        return response.statusCode() == 200
                ? CeleryJson.mapper().readTree(response.body()).path("total_run_count").asLong() : -1;
    }

    private static HttpResponse<String> send(int port, String method, String path, String body) {
        return new TestHttp(port).send(method, path, body);
    }
}
