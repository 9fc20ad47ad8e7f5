package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramsTests {

    @TempDir
    Path dir;

    @Test
    void anEmptyAllowlistRefusesEveryProgramNamingThePropertyToSet() {
        Programs programs = new Programs(List.of(), "/usr/bin:/bin");

        assertThatThrownBy(() -> programs.resolve("gzip")).isInstanceOf(ProgramNotAllowed.class)
                .hasMessage("bullpen.exec runs no program on this worker: its allowlist is empty. Set "
                        + "bullpen.worker.exec.allowed-programs (environment: BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS), e.g. gzip,sha256sum");
    }

    @Test
    void aPlainNameResolvesOnThePathInOrder() throws IOException {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Path tool = executable(second.resolve("tool"));
        Files.createDirectories(first.resolve("tool")); // a directory of that name is no program
        Files.writeString(first.resolve("tool2"), "not executable");

        Programs programs = new Programs(List.of("tool", "tool2"), "::" + first + ":relative:" + second);

        assertThat(programs.resolve("tool")).isEqualTo(tool);
        assertThatThrownBy(() -> programs.resolve("tool2")).isInstanceOf(ProgramNotFound.class)
                .hasMessageContaining("'tool2' is allowed but not found on this worker's PATH");
    }

    @Test
    void anAbsolutePathIsTakenAsGivenAndOnlyAsListed() throws IOException {
        Path tool = executable(dir.resolve("tool"));
        Programs programs = new Programs(List.of(tool.toString(), dir.resolve("gone").toString()), dir.toString());

        assertThat(programs.resolve(tool.toString())).isEqualTo(tool);
        assertThatThrownBy(() -> programs.resolve("tool")).isInstanceOf(ProgramNotAllowed.class);
        assertThatThrownBy(() -> programs.resolve(dir.resolve("gone").toString())).isInstanceOf(ProgramNotFound.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void namesMatchExactly() throws IOException {
        executable(dir.resolve("tool"));
        Programs programs = new Programs(List.of("tool"), dir.toString());

        for (String name : List.of("Tool", " tool", "./tool", dir.resolve("tool").toString(), "tool;rm")) {
            assertThatThrownBy(() -> programs.resolve(name)).as(name).isInstanceOf(ProgramNotAllowed.class);
        }
    }

    private static Path executable(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
