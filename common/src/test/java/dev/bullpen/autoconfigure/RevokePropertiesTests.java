package dev.bullpen.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RevokePropertiesTests {

    @Test
    void keepsSevenDaysAndAHundredThousandByDefault() {
        RevokeProperties properties = bind(Map.of());

        assertThat(properties.ttl()).isEqualTo(Duration.ofDays(7));
        assertThat(properties.max()).isEqualTo(100_000);
    }

    @Test
    void refusesACapBelowOne() {
        assertThatThrownBy(() -> bind(Map.of("bullpen.revoke.max", "0"))).hasStackTraceContaining("bullpen.revoke.max");
    }

    private static RevokeProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("bullpen.revoke", RevokeProperties.class);
    }
}
