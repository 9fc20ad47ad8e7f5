package dev.bullpen.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.test.ServiceProcess;
import dev.bullpen.test.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The runnable worker's jar, as the image runs it: what its health is made of. */
class RunnableWorkerHealthIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    @Test
    void healthIsTheWorkersOwnAndOpensNoSecondConnection() throws Exception {
        Map<String, String> spring = services.springProperties();
        try (ServiceProcess worker = ServiceProcess.jar("worker").quickStart().properties(Map.of(
                "spring.rabbitmq.host", spring.get("spring.rabbitmq.host"),
                "spring.rabbitmq.port", spring.get("spring.rabbitmq.port"),
                "spring.data.redis.host", spring.get("spring.data.redis.host"),
                "spring.data.redis.port", spring.get("spring.data.redis.port"),
                "bullpen.result.key-prefix", services.redisPrefix(),
                "bullpen.worker.queues", services.queue("health"),
                "bullpen.worker.name", services.workerName("health"),
                "management.endpoint.health.show-components", "always")).start()) {
            worker.awaitUp(Duration.ofSeconds(90));

            {
                HttpResponse<String> response = new TestHttp(worker.port()).get("/actuator/health");
                JsonNode components = CeleryJson.mapper().readTree(response.body()).get("components");

                // UP while it consumes says the broker is reachable; Spring's rabbit contributor opened a second
                // AMQP connection per worker, on the first probe, only to ask the broker's version.
                assertThat(components.get("bullpenWorker").get("status").stringValue()).isEqualTo("UP");
                assertThat(components.has("rabbit")).as("components: %s", components).isFalse();
                assertThat(components.get("redis").get("status").stringValue()).isEqualTo("UP");
            }
        }
    }
}
