package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskState;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.PrivateRedisServer;
import dev.bullpen.worker.app.WorkerApplication;
import dev.bullpen.worker.internal.Worker;
import dev.bullpen.worker.internal.limits.RateLimits;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * When the Redis that keeps the rate limits' buckets does not answer, a rate-limited task does not
 * run (it stays PENDING, its message kept), tasks without a limit still run, and once Redis answers
 * the task runs. The buckets live in a redis-server of the test's own, on a port of its own, which
 * it starts and stops; results stay on the shared Redis.
 */
@SpringBootTest(classes = {WorkerApplication.class, RateLimitOutageIntegrationTests.Config.class}, properties = "server.port=0")
class RateLimitOutageIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("outage");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration STAYS = Duration.ofSeconds(3);
    static final int PORT = freePort();
    static final Set<String> ran = ConcurrentHashMap.newKeySet();

    static LettuceConnectionFactory bucketsRedis;
    static PrivateRedisServer redis;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
    }

    @AfterAll
    static void stopOwnRedis() {
        stopRedis();
        if (bucketsRedis != null) {
            bucketsRedis.destroy();
        }
    }

    @Autowired
    TaskClient client;

    @Autowired
    ResultBackend results;

    @Autowired
    Worker worker;

    @Test
    void aLimitThatCannotBeCheckedIsNotPassedAndTheTaskRunsOnceRedisAnswers() throws Exception {
        await().atMost(WAIT).until(worker::isConsuming);

        // Nothing listens on the buckets' port yet.
        TaskHandle limited = client.send("test.limited", List.of());
        assertThat(client.send("demo.add", List.of(2, 3)).get(WAIT, Integer.class))
                .as("a task without a limit does not need the buckets").isEqualTo(5);
        assertStaysPending(limited);

        startRedis();
        assertThat(limited.get(WAIT, String.class)).isEqualTo("ran");

        // Redis goes away after the connection was made: Lettuce reconnects once it is back.
        stopRedis();
        TaskHandle second = client.send("test.limited", List.of());
        assertStaysPending(second);
        startRedis();
        assertThat(second.get(WAIT, String.class)).isEqualTo("ran");
        assertThat(ran).containsExactlyInAnyOrder(limited.id(), second.id());
    }

    private void assertStaysPending(TaskHandle handle) {
        await().during(STAYS).atMost(STAYS.plusSeconds(5)).until(() -> results.get(handle.id()).state() == TaskState.PENDING);
        assertThat(ran).as("a rate-limited task ran with its bucket out of reach").doesNotContain(handle.id());
    }

    private static synchronized void startRedis() throws Exception {
        redis = PrivateRedisServer.startOn(PORT);
    }

    private static synchronized void stopRedis() {
        PrivateRedisServer server = redis;
        redis = null;
        if (server != null) {
            try {
                server.close();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @TestConfiguration
    static class Config {

        /** The buckets on the test's own Redis; not a bean itself, so results stay on the shared one. */
        @Bean
        RateLimits rateLimits() {
            var config = new RedisStandaloneConfiguration("127.0.0.1", PORT);
            bucketsRedis = new LettuceConnectionFactory(config,
                    LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
            bucketsRedis.afterPropertiesSet();
            bucketsRedis.start();
            return new RateLimits(bucketsRedis, services.redisPrefix());
        }

        @Bean
        LimitedTask limitedTask() {
            return new LimitedTask();
        }
    }

    static class LimitedTask {

        @Task(value = "test.limited", rateLimit = "5/s")
        String limited(TaskContext context) {
            ran.add(context.id());
            return "ran";
        }
    }
}
