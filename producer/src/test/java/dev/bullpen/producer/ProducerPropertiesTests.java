package dev.bullpen.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class ProducerPropertiesTests {

    @Test
    void defaultsToOneMebibyteOneMinuteAndOneDay() {
        ProducerProperties properties = bind(Map.of());

        assertThat(properties.maxPayload()).isEqualTo(DataSize.ofBytes(1024 * 1024));
        assertThat(properties.maxWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(properties.idempotencyTtl()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void bindsBootStyleValues() {
        ProducerProperties properties = bind(Map.of("bullpen.producer.max-payload", "64KB",
                "bullpen.producer.max-wait", "5s", "bullpen.producer.idempotency-ttl", "90m"));

        assertThat(properties.maxPayload().toBytes()).isEqualTo(64 * 1024);
        assertThat(properties.maxWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.idempotencyTtl()).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void refusesNonsense() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ProducerProperties(DataSize.ofBytes(0), Duration.ZERO, Duration.ofDays(1), List.of()))
                .withMessageContaining("max-payload");
        assertThatIllegalArgumentException().isThrownBy(() -> new ProducerProperties(DataSize.ofGigabytes(4), Duration.ZERO, Duration.ofDays(1), List.of()))
                .withMessageContaining("max-payload");
        assertThatIllegalArgumentException().isThrownBy(() -> new ProducerProperties(DataSize.ofKilobytes(1), Duration.ofSeconds(-1), Duration.ofDays(1), List.of()))
                .withMessageContaining("max-wait");
        assertThatIllegalArgumentException().isThrownBy(() -> new ProducerProperties(DataSize.ofKilobytes(1), Duration.ZERO, Duration.ZERO, List.of()))
                .withMessageContaining("idempotency-ttl");
        assertThatIllegalArgumentException().isThrownBy(() -> new ProducerProperties(DataSize.ofKilobytes(1), Duration.ZERO, Duration.ofSeconds(-5), List.of()))
                .withMessageContaining("idempotency-ttl");
    }

    private static ProducerProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("bullpen.producer", ProducerProperties.class);
    }
}
