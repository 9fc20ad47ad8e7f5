package dev.bullpen.producer.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The stack as docker-compose.yml describes it, without a Docker engine: the producer jar and three
 * worker jars (as {@code --scale worker=3} would run) started with the environment blocks read from
 * the compose file. What a container network would provide is mapped, and nothing else changes:
 * <ul>
 * <li>the service host names {@code rabbitmq} and {@code redis} resolve to the test broker and Redis;</li>
 * <li>each process gets its own HTTP port and worker name (containers each have their own network
 *     namespace and host name);</li>
 * <li>the queue and the Redis key prefix are this class's own, since the broker is shared.</li>
 * </ul>
 */
class ComposeStackIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final List<ServiceProcess> processes = new ArrayList<>();

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess process : processes) {
            process.close();
        }
    }

    @Test
    void theComposeEnvironmentConnectsServesAndScalesToThreeWorkers() throws Exception {
        ComposeFile compose = ComposeFile.load();
        String queue = services.queue("celery");

        int producerPort = ServiceProcess.freePort();
        Map<String, String> producerEnv = containerNetwork(compose.environment("producer"));
        producerEnv.put("SERVER_PORT", Integer.toString(producerPort));
        producerEnv.put("BULLPEN_CLIENT_DEFAULT_QUEUE", queue);
        ServiceProcess producer = ServiceProcess.start("producer", ServiceProcess.jar("producer"), producerEnv, producerPort);
        processes.add(producer);

        List<ServiceProcess> workers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int port = ServiceProcess.freePort();
            Map<String, String> env = containerNetwork(compose.environment("worker"));
            env.put("SERVER_PORT", Integer.toString(port));
            env.put("BULLPEN_WORKER_QUEUES", queue);
            env.put("BULLPEN_WORKER_NAME", "worker-" + i + "@compose");
            ServiceProcess worker = ServiceProcess.start("worker-" + i, ServiceProcess.jar("worker"), env, port);
            processes.add(worker);
            workers.add(worker);
        }
        producer.awaitUp(Duration.ofSeconds(180));
        for (ServiceProcess worker : workers) {
            worker.awaitUp(Duration.ofSeconds(180));
        }

        HttpClient http = HttpClient.newHttpClient();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(producer.uri("/api/tasks"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"demo.sleep\",\"args\":[0.2]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            ids.add(CeleryJson.mapper().readTree(accepted.body()).path("id").asString());
        }
        Set<String> ranOn = new HashSet<>();
        for (String id : ids) {
            JsonNode status = get(http, producer.uri("/api/tasks/" + id + "?wait=30"));
            assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("SUCCESS");
            ranOn.add(status.path("worker").asString());
        }
        assertThat(ranOn).as("the workers that ran the 60 tasks")
                .containsExactlyInAnyOrder("worker-1@compose", "worker-2@compose", "worker-3@compose");
    }

    /** Rewrites the compose service host names (and their standard ports) to the test services. */
    private static Map<String, String> containerNetwork(Map<String, String> env) {
        URI amqp = services.amqpUri();
        URI redis = services.redisUri();
        Map<String, String> mapped = new LinkedHashMap<>();
        env.forEach((key, value) -> mapped.put(key, switch (key) {
            case "SPRING_RABBITMQ_HOST" -> value.equals("rabbitmq") ? amqp.getHost() : value;
            case "SPRING_RABBITMQ_PORT" -> Integer.toString(amqp.getPort() < 0 ? 5672 : amqp.getPort());
            case "SPRING_DATA_REDIS_HOST" -> value.equals("redis") ? redis.getHost() : value;
            case "SPRING_DATA_REDIS_PORT" -> Integer.toString(redis.getPort() < 0 ? 6379 : redis.getPort());
            default -> value;
        }));
        assertThat(mapped).as("the compose environment names the broker and Redis")
                .containsKeys("SPRING_RABBITMQ_HOST", "SPRING_DATA_REDIS_HOST");
        mapped.put("SPRING_DATA_REDIS_DATABASE", Integer.toString(services.redisDatabase()));
        mapped.put("BULLPEN_RESULT_KEY_PREFIX", services.redisPrefix());
        return mapped;
    }

    private static JsonNode get(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        return CeleryJson.mapper().readTree(response.body());
    }
}
