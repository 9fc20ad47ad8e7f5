package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

class ExecPropertiesTests {

    @Test
    void defaultsAllowNothingWithinAMinuteAndAMebibytePerStream() {
        ExecProperties properties = bind(Map.of());

        assertThat(properties.allowedPrograms()).isEmpty();
        assertThat(properties.defaultTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(properties.maxTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(properties.maxOutput()).isEqualTo(DataSize.ofBytes(1024 * 1024));
        assertThat(properties.outputOverflow()).isEqualTo(ExecProperties.OutputOverflow.TRUNCATE);
        assertThat(properties.effectiveScratchRoot()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Test
    void theAllowlistBindsFromACommaSeparatedEnvironmentVariable() {
        ExecProperties properties = bind(Map.of("BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS", "gzip,sha256sum, /usr/bin/convert",
                "BULLPEN_WORKER_EXEC_MAXOUTPUT", "64KB", "BULLPEN_WORKER_EXEC_OUTPUTOVERFLOW", "fail",
                "BULLPEN_WORKER_EXEC_SCRATCHROOT", "/var/tmp/bullpen"));

        assertThat(properties.allowedPrograms()).containsExactly("gzip", "sha256sum", "/usr/bin/convert");
        assertThat(properties.maxOutput()).isEqualTo(DataSize.ofKilobytes(64));
        assertThat(properties.outputOverflow()).isEqualTo(ExecProperties.OutputOverflow.FAIL);
        assertThat(properties.effectiveScratchRoot()).isEqualTo(Path.of("/var/tmp/bullpen"));
    }

    @Test
    void aRelativePathOnTheAllowlistIsRefusedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS", "gzip,bin/tool")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("'bin/tool' is neither a plain name (found on PATH) nor an absolute path");
    }

    @Test
    void aMaximumTimeoutBelowTheDefaultIsRefused() {
        assertThatThrownBy(() -> bind(Map.of("BULLPEN_WORKER_EXEC_MAXTIMEOUT", "5s")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessageContaining("max-timeout (PT5S) must not be shorter than default-timeout (PT1M)");
    }

    @Test
    void blankNamesAreDropped() {
        assertThat(new ExecProperties(List.of("gzip", " ", ""), Duration.ofSeconds(1), Duration.ofSeconds(1),
                DataSize.ofBytes(0), ExecProperties.OutputOverflow.TRUNCATE, null).allowedPrograms()).containsExactly("gzip");
    }

    /** Binds as Spring Boot binds environment variables: relaxed names, comma-separated lists. */
    private static ExecProperties bind(Map<String, Object> environment) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
        return new Binder(ConfigurationPropertySources.get(env))
                .bindOrCreate("bullpen.worker.exec", ExecProperties.class);
    }
}
