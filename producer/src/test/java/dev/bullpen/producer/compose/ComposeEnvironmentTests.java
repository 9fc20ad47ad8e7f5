package dev.bullpen.producer.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Every environment variable that docker-compose.yml gives the producer and the worker binds to a
 * property the applications declare. Spring ignores a variable that binds to nothing, so without
 * this a typo, or a property renamed in code, would ship as a silently ignored setting.
 */
class ComposeEnvironmentTests {

    static ConfigurationMetadata metadata;
    static ComposeFile compose;

    @BeforeAll
    static void load() throws Exception {
        metadata = ConfigurationMetadata.fromClasspath();
        compose = ComposeFile.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"producer", "worker"})
    void everyVariableBindsToAProperty(String service) {
        Map<String, String> env = compose.environment(service);
        assertThat(env).as("%s has an environment block", service).isNotEmpty();
        assertThat(metadata.unknownVariables(env)).as("variables of %s that bind to no property", service).isEmpty();
    }

    @Test
    void theMetadataHoldsBullpensOwnPropertiesAndSpringBoots() {
        assertThat(metadata.knows("bullpen.worker.shutdown-timeout")).isTrue();
        assertThat(metadata.knows("bullpen.client.default-queue")).isTrue();
        assertThat(metadata.knows("bullpen.result.key-prefix")).isTrue();
        assertThat(metadata.knows("spring.rabbitmq.host")).isTrue();
        assertThat(metadata.knows("spring.data.redis.host")).isTrue();
    }

    @Test
    void aTypoOrARenamedPropertyIsCaught() {
        Map<String, String> env = Map.of("SPRING_RABBITMQ_HSOT", "rabbitmq", "BULLPEN_WORKER_CONCURENCY", "8",
                "BULLPEN_WORKER_CONCURRENCY", "8", "JAVA_TOOL_OPTIONS", "-Xmx256m");
        assertThat(metadata.unknownVariables(env)).containsExactlyInAnyOrder("SPRING_RABBITMQ_HSOT", "BULLPEN_WORKER_CONCURENCY");
    }
}
