package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
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
        assertThat(properties.workDir()).isNull();
        assertThat(properties.programs()).isEmpty();
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
                DataSize.ofBytes(0), ExecProperties.OutputOverflow.TRUNCATE, null, null, null).allowedPrograms()).containsExactly("gzip");
    }

    @Test
    void theWorkDirAndEachProgramsRulesBindFromTheEnvironment() {
        ExecProperties properties = bind(Map.of("BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS", "gzip,sha256sum,echo",
                "BULLPEN_WORKER_EXEC_WORKDIR", "/data",
                "BULLPEN_WORKER_EXEC_PROGRAMS_GZIP_FLAGS", "-c,-d, -k,-1,-9,--keep",
                "BULLPEN_WORKER_EXEC_PROGRAMS_ECHO_OPERANDS", "unchecked"));

        assertThat(properties.workDir()).isEqualTo(Path.of("/data"));
        assertThat(properties.rulesFor("gzip").flags()).containsExactly("-c", "-d", "-k", "-1", "-9", "--keep");
        assertThat(properties.rulesFor("gzip").operands()).isEqualTo(ExecProperties.Operands.PATHS);
        assertThat(properties.rulesFor("echo").flags()).isEmpty();
        assertThat(properties.rulesFor("echo").operands()).isEqualTo(ExecProperties.Operands.UNCHECKED);
        // Allowed with no entry: no flags, operands as paths.
        assertThat(properties.rulesFor("sha256sum")).isEqualTo(new ExecProperties.ProgramRules(List.of(), ExecProperties.Operands.PATHS));
    }

    @Test
    void theReadmesYamlBinds() throws IOException {
        String yaml = "bullpen.worker.exec: {allowed-programs: [gzip, sha256sum], work-dir: /tmp/data,\n"
                + "programs: {gzip: {flags: [-c, -d, -k, -1, -9]}}}";
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        new YamlPropertySourceLoader().load("readme", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))
                .forEach(env.getPropertySources()::addFirst);

        ExecProperties properties = new Binder(ConfigurationPropertySources.get(env)).bindOrCreate("bullpen.worker.exec", ExecProperties.class);

        assertThat(properties.allowedPrograms()).containsExactly("gzip", "sha256sum");
        assertThat(properties.workDir()).isEqualTo(Path.of("/tmp/data"));
        assertThat(properties.rulesFor("gzip").flags()).containsExactly("-c", "-d", "-k", "-1", "-9");
    }

    @Test
    void anAbsoluteProgramsRulesBindWithTheBracketedKey() {
        ExecProperties properties = bindProperties(Map.of("bullpen.worker.exec.allowed-programs", "/bin/sh",
                "bullpen.worker.exec.programs[/bin/sh].flags", "-c", "bullpen.worker.exec.programs[/bin/sh].operands", "unchecked"));

        assertThat(properties.rulesFor("/bin/sh").flags()).containsExactly("-c");
        assertThat(properties.rulesFor("/bin/sh").operands()).isEqualTo(ExecProperties.Operands.UNCHECKED);
    }

    @Test
    void aRelativeWorkDirIsRefusedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("BULLPEN_WORKER_EXEC_WORKDIR", "data")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessage("bullpen.worker.exec.work-dir must be an absolute path, got 'data'");
    }

    @Test
    void rulesForAProgramTheAllowlistDoesNotListAreRefusedAtStartup() {
        // A typo would otherwise leave gzip with no flags and the rules applying to nothing.
        assertThatThrownBy(() -> bind(Map.of("BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS", "gzip",
                "BULLPEN_WORKER_EXEC_PROGRAMS_GZP_FLAGS", "-k")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessage("bullpen.worker.exec.programs has rules for 'gzp', which bullpen.worker.exec.allowed-programs [gzip] does not list");
    }

    @Test
    void aListedFlagMustBeOne() {
        for (String flag : List.of("k", "-", "--", "-k 9", "--level\n9")) {
            assertThatThrownBy(() -> bindProperties(Map.of("bullpen.worker.exec.allowed-programs", "gzip",
                    "bullpen.worker.exec.programs.gzip.flags[0]", flag)))
                    .as(flag).isInstanceOf(BindException.class).rootCause()
                    .hasMessageStartingWith("bullpen.worker.exec.programs.gzip.flags: '").hasMessageContaining("' is no flag");
        }
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

    /** Binds properties as an {@code application.properties} would give them. */
    private static ExecProperties bindProperties(Map<String, Object> properties) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        env.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return new Binder(ConfigurationPropertySources.get(env))
                .bindOrCreate("bullpen.worker.exec", ExecProperties.class);
    }
}
