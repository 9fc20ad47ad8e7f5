package dev.bullpen.producer.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ServiceProcess;
import dev.bullpen.test.TestHttp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The stack as docker-compose.yml describes it, without a Docker engine: the producer jar and three
 * worker jars (as {@code --scale worker=3} would run) started with the environment blocks read from
 * the compose file, watched by a real Prometheus that evaluates every query of the Grafana dashboards.
 * What a container network would provide is mapped, and nothing else changes:
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

    static final Duration START = Duration.ofSeconds(180);
    static final String QUEUE = services.queue("celery");
    static final List<ServiceProcess> processes = new ArrayList<>();
    static ServiceProcess producer;
    static final List<ServiceProcess> workers = new ArrayList<>();

    @BeforeAll
    static void startTheStack() throws Exception {
        ComposeFile compose = ComposeFile.load();
        int producerPort = ServiceProcess.freePort();
        Map<String, String> producerEnv = containerNetwork(compose.environment("producer"));
        producerEnv.put("SERVER_PORT", Integer.toString(producerPort));
        producerEnv.put("BULLPEN_CLIENT_DEFAULT_QUEUE", QUEUE);
        producer = ServiceProcess.jar("producer").containerEnvironment().environment(producerEnv).port(producerPort).start();
        processes.add(producer);
        for (int i = 1; i <= 3; i++) {
            int port = ServiceProcess.freePort();
            Map<String, String> env = containerNetwork(compose.environment("worker"));
            env.put("SERVER_PORT", Integer.toString(port));
            env.put("BULLPEN_WORKER_QUEUES", QUEUE);
            env.put("BULLPEN_WORKER_NAME", services.workerName("worker-" + i)); // its direct queue goes with the class
            ServiceProcess worker = ServiceProcess.jar("worker").name("worker-" + i).containerEnvironment().environment(env)
                    .port(port).start();
            processes.add(worker);
            workers.add(worker);
        }
        producer.awaitUp(START);
        for (ServiceProcess worker : workers) {
            worker.awaitUp(START);
        }
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        for (ServiceProcess process : processes) {
            process.close();
        }
    }

    @Test
    void theComposeEnvironmentConnectsServesAndScalesToThreeWorkers() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ids.add(submit("{\"task\":\"demo.sleep\",\"args\":[0.2]}"));
        }
        Set<String> ranOn = new HashSet<>();
        for (String id : ids) {
            JsonNode status = get(producer.uri("/api/tasks/" + id + "?wait=30"));
            assertThat(status.path("state").asString()).as(status.toString()).isEqualTo("SUCCESS");
            ranOn.add(status.path("worker").asString());
        }
        String[] names = {services.workerName("worker-1"), services.workerName("worker-2"), services.workerName("worker-3")};
        assertThat(ranOn).as("the workers that ran the 60 tasks").containsExactlyInAnyOrder(names);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(producer.uri("/api/workers")).toString())
                .contains(names));
    }

    /**
     * Every PromQL expression in the provisioned dashboards returns data from a real Prometheus
     * scraping this stack (and the broker's rabbitmq_prometheus plugin) under load: a renamed meter,
     * a typo in a query or a missing plugin fails here rather than as an empty panel.
     */
    @Test
    void everyDashboardQueryReturnsData() throws Exception {
        Map<String, LocalPrometheus.Job> jobs = new LinkedHashMap<>();
        jobs.put("bullpen-producer", new LocalPrometheus.Job("/actuator/prometheus", List.of(hostPort(producer.uri("/")))));
        jobs.put("bullpen-worker", new LocalPrometheus.Job("/actuator/prometheus",
                workers.stream().map(w -> hostPort(w.uri("/"))).toList()));
        jobs.put("rabbitmq", new LocalPrometheus.Job("/metrics", List.of(services.amqpUri().getHost() + ":15692")));
        Map<String, String> queries = dashboardQueries();
        assertThat(queries).as("queries in deploy/grafana/dashboards").hasSizeGreaterThan(20);

        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = Thread.ofVirtual().start(() -> {
            while (loading.get()) {
                try {
                    submit("{\"task\":\"demo.sleep\",\"args\":[0.05]}");
                    submit("{\"task\":\"demo.add\",\"args\":[1,2]}");
                    submit("{\"task\":\"demo.fail\",\"args\":[\"on purpose\"]}");
                    submit("{\"task\":\"demo.flaky\",\"args\":[1]}");
                    submit("{\"task\":\"demo.add\",\"args\":[1,1],\"expires\":\"2000-01-01T00:00:00Z\"}");
                    Thread.sleep(100);
                } catch (Exception ex) {
                    return;
                }
            }
        });
        try (LocalPrometheus prometheus = LocalPrometheus.start(jobs)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(prometheus.query("count(up == 1)").path("data").path("result").path(0).path("value").path(1).asString())
                            .as("targets up (producer, 3 workers, rabbitmq)").isEqualTo("5"));
            // Let the rate windows fill with the load.
            Thread.sleep(Duration.ofSeconds(25));
            List<String> empty = new ArrayList<>();
            for (var query : queries.entrySet()) {
                JsonNode answer = prometheus.query(query.getValue());
                assertThat(answer.path("status").asString()).as("%s: %s -> %s", query.getKey(), query.getValue(), answer)
                        .isEqualTo("success");
                if (answer.path("data").path("result").isEmpty()) {
                    empty.add(query.getKey() + ": " + query.getValue());
                }
            }
            assertThat(empty).as("dashboard queries that returned nothing").isEmpty();
        } finally {
            loading.set(false);
            load.join(Duration.ofSeconds(10));
        }
    }

    /** Panel title to expression, for every target of every dashboard, with Grafana's interval macros filled in. */
    private static Map<String, String> dashboardQueries() throws Exception {
        Path dashboards = ComposeFile.repositoryRoot().resolve("deploy/grafana/dashboards");
        Map<String, String> queries = new LinkedHashMap<>();
        try (var files = Files.list(dashboards)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode board = CeleryJson.mapper().readTree(Files.readString(file));
                for (JsonNode panel : board.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        String expr = target.path("expr").asString()
                                .replace("$__rate_interval", "20s").replace("$__interval", "5s").replace("$__range", "5m");
                        queries.put(board.path("title").asString() + " / " + panel.path("title").asString() + " / "
                                + target.path("refId").asString(), expr);
                    }
                }
            }
        }
        return queries;
    }

    private static String submit(String json) throws Exception {
        HttpResponse<String> accepted = new TestHttp(producer.port()).postJson("/api/tasks", json);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return CeleryJson.mapper().readTree(accepted.body()).path("id").asString();
    }

    private static String hostPort(URI uri) {
        return uri.getHost() + ":" + uri.getPort();
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

    private static JsonNode get(URI uri) throws Exception {
        TestHttp http = new TestHttp(uri);
        return TestHttp.json(http.send(http.request(uri.toString()).timeout(Duration.ofSeconds(60)).GET().build()));
    }
}
