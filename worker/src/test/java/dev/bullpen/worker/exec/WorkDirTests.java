package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a path operand may name: a file in {@code bullpen.worker.exec.work-dir}, relatively, that
 * stays there once links are resolved. Each escape of issue 14 has its case, beside files next to
 * the work-dir that a careless check would let through.
 */
class WorkDirTests {

    @TempDir
    Path dir;

    Path work;
    Path outside;
    Path secret;
    WorkDir workDir;

    @BeforeEach
    void files() throws IOException {
        work = Files.createDirectories(dir.resolve("work"));
        Files.writeString(work.resolve("file.txt"), "inside");
        Files.createDirectories(work.resolve("sub"));
        outside = Files.createDirectories(dir.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret.txt"), "outside");
        Files.createDirectories(dir.resolve("work2")); // its name starts with the work-dir's
        workDir = WorkDir.open(work);
    }

    @Test
    void aRelativePathInTheWorkDirPassesWhetherOrNotItExistsYet() {
        for (String operand : List.of("file.txt", "./file.txt", "sub", "sub/new.gz", "new/dirs/out.txt", ".", "")) {
            assertThatCode(() -> workDir.confine("gzip", operand)).as(operand).doesNotThrowAnyException();
        }
    }

    @Test
    void anAbsolutePathIsRefusedOutsideTheWorkDirAndInside() {
        String environ = "/proc/" + ProcessHandle.current().pid() + "/environ";
        for (String operand : List.of("/etc/shadow", environ, secret.toString(), dir.resolve("work2").toString(), "/")) {
            assertThatThrownBy(() -> workDir.confine("gzip", operand)).as(operand).isInstanceOf(ArgumentNotAllowed.class)
                    .hasMessage("gzip: argument '" + operand + "' is an absolute path; name files relative to bullpen.worker.exec.work-dir");
        }
        // Inside, refused all the same (one way to name a file, the same on every worker whatever its mount point),
        // with the name the caller meant.
        assertThatThrownBy(() -> workDir.confine("gzip", work.resolve("sub/file.txt").toString()))
                .isInstanceOf(ArgumentNotAllowed.class)
                .hasMessage("gzip: argument '" + work.resolve("sub/file.txt") + "' is an absolute path; name files relative to "
                        + "bullpen.worker.exec.work-dir, here 'sub/file.txt'");
    }

    @Test
    void dotDotIsRefusedWhereverItLeads() {
        for (String operand : List.of("../outside/secret.txt", "sub/../../outside/secret.txt", "..", "sub/../file.txt",
                "../work2/x", "../../../../../../etc/shadow")) {
            assertThatThrownBy(() -> workDir.confine("gzip", operand)).as(operand).isInstanceOf(ArgumentNotAllowed.class)
                    .hasMessage("gzip: argument '" + operand + "' climbs with '..'; name files in bullpen.worker.exec.work-dir without it");
        }
    }

    @Test
    void aSymbolicLinkOutOfTheWorkDirIsRefusedWithoutSayingWhereItLeads() throws IOException {
        Files.createSymbolicLink(work.resolve("shadow"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(work.resolve("secret"), secret);
        Files.createSymbolicLink(work.resolve("environ"), Path.of("/proc/" + ProcessHandle.current().pid() + "/environ"));
        Files.createSymbolicLink(work.resolve("up"), outside);
        Files.createSymbolicLink(work.resolve("sub/relative"), Path.of("../../outside/secret.txt"));
        Files.createSymbolicLink(work.resolve("next-door"), dir.resolve("work2"));

        for (String operand : List.of("shadow", "secret", "environ", "up", "up/secret.txt", "up/new.gz", "up/new/dirs/out",
                "sub/relative", "next-door/x")) {
            assertThatThrownBy(() -> workDir.confine("gzip", operand)).as(operand).isInstanceOf(ArgumentNotAllowed.class)
                    .hasMessage("gzip: argument '" + operand + "' leads out of bullpen.worker.exec.work-dir through a symbolic link");
        }
    }

    @Test
    void aLinkThatLeadsNowhereOrInALoopIsRefusedSinceTheProgramWouldWriteThroughIt() throws IOException {
        Files.createSymbolicLink(work.resolve("dangling"), outside.resolve("not-yet.txt"));
        Files.createSymbolicLink(work.resolve("loop-a"), work.resolve("loop-b"));
        Files.createSymbolicLink(work.resolve("loop-b"), work.resolve("loop-a"));

        for (String operand : List.of("dangling", "loop-a", "loop-a/x")) {
            assertThatThrownBy(() -> workDir.confine("gzip", operand)).as(operand).isInstanceOf(ArgumentNotAllowed.class)
                    .hasMessageStartingWith("gzip: argument '" + operand + "' cannot be resolved");
        }
    }

    @Test
    void aLinkThatStaysInTheWorkDirPasses() throws IOException {
        Files.createSymbolicLink(work.resolve("alias.txt"), work.resolve("file.txt"));
        Files.createSymbolicLink(work.resolve("sub/up.txt"), Path.of("../file.txt"));
        Files.createSymbolicLink(work.resolve("subdir"), work.resolve("sub"));

        for (String operand : List.of("alias.txt", "sub/up.txt", "subdir/new.gz")) {
            assertThatCode(() -> workDir.confine("gzip", operand)).as(operand).doesNotThrowAnyException();
        }
    }

    @Test
    void aFileWithASecondHardLinkIsRefusedSinceThatNameMayBeOutside() throws IOException {
        Files.createLink(work.resolve("hard.txt"), secret);

        assertThatThrownBy(() -> workDir.confine("gzip", "hard.txt")).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageStartingWith("gzip: argument 'hard.txt' is a file with 2 hard links");
    }

    @Test
    void aPathLongerThanAnyProgramCouldOpenIsRefusedBeforeItIsWalked() {
        String deep = "a/".repeat(200_000) + "x"; // walked a name at a time, this would cost seconds of CPU

        assertThatThrownBy(() -> workDir.confine("gzip", deep)).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageEndingWith("... (400001 characters) is longer than a path may be (4096 bytes)");
        assertThatThrownBy(() -> workDir.confine("gzip", "\u00e9".repeat(2049))).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageEndingWith("is longer than a path may be (4096 bytes)");
        assertThatCode(() -> workDir.confine("gzip", "a/".repeat(2047) + "x")).doesNotThrowAnyException();
    }

    @Test
    void aWorkDirReachedThroughALinkConfinesToWhereItLeads() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("data"), work);
        WorkDir linked = WorkDir.open(link);

        assertThatCode(() -> linked.confine("gzip", "file.txt")).doesNotThrowAnyException();
        assertThatThrownBy(() -> linked.confine("gzip", link.resolve("file.txt").toString())).isInstanceOf(ArgumentNotAllowed.class)
                .hasMessageEndingWith(", here 'file.txt'");
        Files.createSymbolicLink(work.resolve("secret"), secret);
        assertThatThrownBy(() -> linked.confine("gzip", "secret")).isInstanceOf(ArgumentNotAllowed.class);
    }
}
