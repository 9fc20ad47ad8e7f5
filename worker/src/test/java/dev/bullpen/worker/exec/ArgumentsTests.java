package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.worker.exec.ExecProperties.Operands;
import dev.bullpen.worker.exec.ExecProperties.ProgramRules;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** Flags per program, and where operands go; {@link WorkDirTests} has what a path operand may name. */
class ArgumentsTests {

    static final ProgramRules GZIP = new ProgramRules(List.of("-c", "-d", "-k", "-1", "-9", "--keep"), null);

    @TempDir
    Path dir;

    @Test
    void aListedFlagPassesAndAnyOtherIsRefusedNamingTheSetting() {
        Arguments arguments = arguments(dir, Map.of("gzip", GZIP));

        assertThatCode(() -> arguments.check("gzip", List.of("-k", "-9", "--keep", "file.txt"))).doesNotThrowAnyException();
        for (String flag : List.of("-f", "--force", "-S", "--suffix=.x", "--kee", "--keep=yes", "-r", "-N")) {
            assertThatThrownBy(() -> arguments.check("gzip", List.of(flag, "file.txt"))).as(flag)
                    .isInstanceOf(ArgumentNotAllowed.class)
                    .hasMessage("gzip: flag '" + flag + "' is not allowed; bullpen.worker.exec.programs.gzip.flags is "
                            + "[-c, -d, -k, -1, -9, --keep]");
        }
    }

    @Test
    void aClusterOfShortFlagsPassesOnlyIfEachLetterIsListed() {
        Arguments arguments = arguments(dir, Map.of("gzip", GZIP));

        assertThatCode(() -> arguments.check("gzip", List.of("-dc", "-kd9", "file.txt.gz"))).doesNotThrowAnyException();
        // The call: -f (force) hides in a cluster of allowed letters.
        assertThatThrownBy(() -> arguments.check("gzip", List.of("-dcf", "file.txt.gz")))
                .isInstanceOf(ArgumentNotAllowed.class)
                .hasMessage("gzip: flag '-f' (in '-dcf') is not allowed; bullpen.worker.exec.programs.gzip.flags is "
                        + "[-c, -d, -k, -1, -9, --keep]");
        // A short flag with its value attached is a cluster too: -S.x is -S, '-.' and -x.
        assertThatThrownBy(() -> arguments.check("gzip", List.of("-kS.x", "file.txt"))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageStartingWith("gzip: flag '-S' (in '-kS.x') is not allowed");
    }

    @Test
    void aProgramWithNoRulesTakesNoFlagsAndAnAbsoluteOneIsNamedInBrackets() {
        Arguments arguments = arguments(dir, Map.of());

        assertThatThrownBy(() -> arguments.check("sha256sum", List.of("-c", "sums.txt"))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessage("sha256sum: flag '-c' is not allowed; bullpen.worker.exec.programs.sha256sum.flags lists none");
        assertThatThrownBy(() -> arguments.check("/usr/bin/gzip", List.of("-d"))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageEndingWith("bullpen.worker.exec.programs[/usr/bin/gzip].flags lists none");
        assertThatCode(() -> arguments.check("sha256sum", List.of("file.txt"))).doesNotThrowAnyException();
    }

    @Test
    void aFlagAfterDoubleDashMustStillBeListedSinceNotEveryProgramHonoursIt() {
        Arguments arguments = arguments(dir, Map.of("gzip", GZIP));

        assertThatCode(() -> arguments.check("gzip", List.of("-k", "--", "file.txt", "-", "./-f"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> arguments.check("gzip", List.of("-k", "--", "-f"))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageStartingWith("gzip: flag '-f' is not allowed");
    }

    @Test
    void withoutAWorkDirNoOperandMayNameAFileButStdinAndUncheckedOperandsStillWork() {
        Arguments arguments = arguments(null, Map.of("gzip", GZIP, "echo", new ProgramRules(null, Operands.UNCHECKED)));

        assertThatThrownBy(() -> arguments.check("gzip", List.of("-dc", "notes.txt.gz"))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessage("gzip: argument 'notes.txt.gz' would name a file, and this worker lets no call name files: it has "
                        + "no bullpen.worker.exec.work-dir (BULLPEN_WORKER_EXEC_WORKDIR), the directory whose files callers may name");
        assertThatThrownBy(() -> arguments.check("gzip", List.of("-dc", "/proc/1/environ"))).isInstanceOf(ArgumentNotAllowed.class);
        assertThatCode(() -> arguments.check("gzip", List.of("-dc"))).doesNotThrowAnyException();
        assertThatCode(() -> arguments.check("gzip", List.of("-c", "-"))).doesNotThrowAnyException();
        assertThatCode(() -> arguments.check("echo", List.of("/etc/shadow", "../x", "a b"))).doesNotThrowAnyException();
        // Unchecked operands, but flags are still flags.
        assertThatThrownBy(() -> arguments.check("echo", List.of("-e", "x"))).isInstanceOf(ArgumentNotAllowed.class);
    }

    @Test
    void anArgumentWithANulIsRefusedAndAHostileOneIsQuotedSafelyInTheMessage() {
        Arguments arguments = arguments(dir, Map.of("echo", new ProgramRules(null, Operands.UNCHECKED)));

        assertThatThrownBy(() -> arguments.check("echo", List.of("a\0b"))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessage("echo: argument 'a\\u0000b' holds a NUL character");
        String forged = "-x\n2026-01-01 INFO everything is fine" + "y".repeat(500);
        assertThatThrownBy(() -> arguments.check("echo", List.of(forged))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageNotContaining("\n").hasMessageContaining("'-x\\u000a2026-01-01 INFO").hasMessageContaining("... (")
                .satisfies(ex -> assertThat(ex.getMessage()).hasSizeLessThan(400));
    }

    @Test
    void aWorkDirThatIsNotThereFailsTheCallSayingSo() {
        Arguments arguments = arguments(dir.resolve("not-mounted"), Map.of());

        assertThatThrownBy(() -> arguments.check("sha256sum", List.of("file.txt"))).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("bullpen.worker.exec.work-dir (" + dir.resolve("not-mounted") + ") is not a directory on this worker");
    }

    static Arguments arguments(@Nullable Path workDir, Map<String, ProgramRules> programs) {
        return new Arguments(properties(workDir, programs));
    }

    static ExecProperties properties(@Nullable Path workDir, Map<String, ProgramRules> programs) {
        List<String> allowed = List.of("gzip", "sha256sum", "echo", "/usr/bin/gzip");
        return new ExecProperties(allowed, Duration.ofSeconds(10), Duration.ofSeconds(10), DataSize.ofKilobytes(64),
                ExecProperties.OutputOverflow.TRUNCATE, null, workDir, programs);
    }
}
