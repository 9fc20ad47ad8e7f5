package dev.bullpen.worker.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.worker.Task;
import dev.bullpen.worker.WorkerProperties;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RateLimitTests {

    @Test
    void parsesCeleryRates() {
        assertThat(RateLimit.parse("100/s").interval()).isEqualTo(Duration.ofMillis(10));
        assertThat(RateLimit.parse("10/m").interval()).isEqualTo(Duration.ofSeconds(6));
        assertThat(RateLimit.parse("5/h").interval()).isEqualTo(Duration.ofMinutes(12));
        assertThat(RateLimit.parse("1/m").interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(RateLimit.parse(" 7 / s ").interval()).isEqualTo(Duration.ofNanos(142_857_143));
        assertThat(RateLimit.parse("0.5/m").interval()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aBareNumberIsPerSecondAsInCelery() {
        assertThat(RateLimit.parse("2.5").interval()).isEqualTo(Duration.ofMillis(400));
        assertThat(RateLimit.parse("10").interval()).isEqualTo(Duration.ofMillis(100));
        assertThat(RateLimit.parse(".5").interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(RateLimit.parse("1e3").interval()).isEqualTo(Duration.ofMillis(1));
        assertThat(RateLimit.parse("10").toString()).isEqualTo("10");
    }

    @Test
    void blankOrZeroIsNoLimitAsInCelery() {
        assertThat(RateLimit.parse("")).isNull();
        assertThat(RateLimit.parse("  ")).isNull();
        assertThat(RateLimit.parse("0")).isNull();
        assertThat(RateLimit.parse("0/m")).isNull();
    }

    @Test
    void aBadRateSaysWhatToWrite() {
        assertThatThrownBy(() -> RateLimit.parse("fast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rate limit \"fast\" is not a rate").hasMessageContaining("\"100/s\"");
        assertThatThrownBy(() -> RateLimit.parse("-5/s")).hasMessageContaining("is not a rate");
        assertThatThrownBy(() -> RateLimit.parse("10/")).hasMessageContaining("is not a rate");
        assertThatThrownBy(() -> RateLimit.parse("/s")).hasMessageContaining("is not a rate");
        assertThatThrownBy(() -> RateLimit.parse("10/d")).hasMessageContaining("has unit \"d\"")
                .hasMessageContaining("s, m and h");
        assertThatThrownBy(() -> RateLimit.parse("10/sec")).hasMessageContaining("has unit \"sec\"");
        assertThatThrownBy(() -> RateLimit.parse("3e9/s")).hasMessageContaining("more than a task per nanosecond");
        assertThatThrownBy(() -> RateLimit.parse("1e-30/h")).hasMessageContaining("too low");
    }

    @Test
    void aBadAnnotationStopsRegistrationNamingTheTask() throws Exception {
        TaskRegistry registry = new TaskRegistry();
        assertThatThrownBy(() -> registry.register("t.bad", new Tasks(), Tasks.class.getDeclaredMethod("bad")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("task 't.bad'").hasMessageContaining("rate limit \"ten per second\" is not a rate");
    }

    @Test
    void configurationOverridesTheAnnotationAndZeroSwitchesItOff() throws Exception {
        TaskRegistry registry = registry();
        Throttle throttle = new Throttle(registry, Map.of("t.limited", "3/m", "t.plain", "2/s", "t.off", "0"), null, 1,
                new TaskMeters(new SimpleMeterRegistry(), registry));

        assertThat(throttle.limitFor("t.limited")).hasValueSatisfying(l -> assertThat(l.interval()).isEqualTo(Duration.ofSeconds(20)));
        assertThat(throttle.limitFor("t.plain")).hasValueSatisfying(l -> assertThat(l.interval()).isEqualTo(Duration.ofMillis(500)));
        assertThat(throttle.limitFor("t.off")).isEmpty();
        assertThat(throttle.limitFor("t.annotated")).hasValueSatisfying(l -> assertThat(l.toString()).isEqualTo("10/s"));
        assertThat(throttle.limitFor("t.unknown")).isEmpty();
    }

    @Test
    void theOverrideBindsByTaskNameDotsAndAll() {
        var source = new MapConfigurationPropertySource(Map.of(
                "bullpen.worker.rate-limits[partner.sync]", "2/s",
                "bullpen.worker.rate-limits[demo.limited]", "0"));
        WorkerProperties properties = new Binder(source).bindOrCreate("bullpen.worker", WorkerProperties.class);

        assertThat(properties.rateLimits()).containsOnly(Map.entry("partner.sync", "2/s"), Map.entry("demo.limited", "0"));
        assertThat(new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("bullpen.worker", WorkerProperties.class)
                .rateLimits()).isEmpty();
    }

    @Test
    void aBadConfiguredLimitStopsTheWorkerNamingTheProperty() throws Exception {
        TaskRegistry registry = registry();
        assertThatThrownBy(() -> new Throttle(registry, Map.of("t.plain", "lots"), null, 1,
                new TaskMeters(new SimpleMeterRegistry(), registry)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("bullpen.worker.rate-limits[t.plain]: rate limit \"lots\" is not a rate");
    }

    @Test
    void aRateLimitedTaskWithoutRedisStopsTheWorker() throws Exception {
        TaskRegistry registry = registry();
        TaskMeters meters = new TaskMeters(new SimpleMeterRegistry(), registry);

        assertThatThrownBy(() -> new Throttle(registry, Map.of(), null, 1, meters).check())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no Redis");
        // With every limit switched off, there is nothing to keep in Redis.
        new Throttle(registry, Map.of("t.limited", "0", "t.annotated", "0", "t.off", "0"), null, 1, meters).check();
    }

    private static TaskRegistry registry() throws Exception {
        TaskRegistry registry = new TaskRegistry();
        Tasks tasks = new Tasks();
        registry.register("t.limited", tasks, Tasks.class.getDeclaredMethod("limited"));
        registry.register("t.annotated", tasks, Tasks.class.getDeclaredMethod("limited"));
        registry.register("t.plain", tasks, Tasks.class.getDeclaredMethod("plain"));
        registry.register("t.off", tasks, Tasks.class.getDeclaredMethod("limited"));
        return registry;
    }

    static class Tasks {

        @Task(value = "t.limited", rateLimit = "10/s")
        void limited() {
        }

        @Task("t.plain")
        void plain() {
        }

        @Task(value = "t.bad", rateLimit = "ten per second")
        void bad() {
        }
    }
}
