package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bullpen.client.GroupHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.client.Workflow;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * Issue 14's escapes, sent through the real broker to a worker in this JVM configured as the
 * docs/command-tasks.md says: {@code gzip} and {@code sha256sum} allowed, gzip's flags {@code -c,-d,-k,-1,-9}, a
 * work-dir. Every escape is refused as {@code ArgumentNotAllowed} before the program starts, and
 * the files outside are untouched; what docs/command-tasks.md does in the work-dir still works.
 */
@SpringBootTest(classes = WorkerApplication.class, properties = "server.port=0")
class CommandConfinementIntegrationTests {

    @RegisterExtension
    static final BullpenServices services = BullpenServices.perClass();

    static final String QUEUE = services.queue("exec-confined");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path root = temporaryDirectory();
    static final Path work = root.resolve("work");
    static final Path outside = root.resolve("outside");
    /** The worker is this JVM: its environment is the one the issue read through /proc. */
    static final String ENVIRON = "/proc/" + ProcessHandle.current().pid() + "/environ";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Files.createDirectories(work);
        Files.createDirectories(outside);
        services.springProperties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("bullpen.worker.queues", () -> QUEUE);
        registry.add("bullpen.client.default-queue", () -> QUEUE);
        registry.add("bullpen.worker.exec.allowed-programs", () -> "gzip,sha256sum,printenv");
        registry.add("bullpen.worker.exec.programs.gzip.flags", () -> "-c,-d,-k,-1,-9");
        registry.add("bullpen.worker.exec.work-dir", work::toString);
        registry.add("bullpen.worker.exec.scratch-root", () -> root.resolve("scratch").toString());
    }

    @AfterAll
    static void removeFiles() throws IOException {
        FileSystemUtils.deleteRecursively(root);
    }

    @Autowired
    TaskClient client;

    @Test
    void theWorkersEnvironmentCannotBeReadThroughProc() throws IOException {
        Files.createSymbolicLink(work.resolve("environ"), Path.of(ENVIRON));

        assertRefused(exec("gzip", "-dcf", ENVIRON), "gzip: flag '-f' (in '-dcf') is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertRefused(exec("gzip", "-dc", ENVIRON), "gzip: argument '" + ENVIRON + "' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir");
        assertRefused(exec("sha256sum", ENVIRON), "sha256sum: argument '" + ENVIRON + "' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir");
        assertRefused(exec("sha256sum", "environ"), "sha256sum: argument 'environ' leads out of "
                + "bullpen.worker.exec.work-dir through a symbolic link");
    }

    @Test
    void aFileOutsideCannotBeRead() throws IOException {
        Path secret = Files.writeString(outside.resolve("secret-" + System.nanoTime() + ".txt"), "the broker password");

        assertRefused(exec("gzip", "-dcf", "/etc/shadow"), "gzip: flag '-f' (in '-dcf') is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertRefused(exec("sha256sum", "/etc/shadow"), "sha256sum: argument '/etc/shadow' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir");
        assertRefused(exec("sha256sum", secret.toString()), "sha256sum: argument '" + secret + "' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir");
    }

    @Test
    void aFileOutsideCannotBeReplaced() throws IOException {
        byte[] original = "precious, outside the work-dir\n".getBytes(StandardCharsets.UTF_8);
        Path precious = Files.write(outside.resolve("precious-" + System.nanoTime() + ".txt"), original);
        String relative = "../outside/" + precious.getFileName();

        // -f made gzip replace the file with file.gz; -k is allowed, and the paths are refused anyway.
        assertRefused(exec("gzip", "-f", precious.toString()), "gzip: flag '-f' is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertRefused(exec("gzip", precious.toString()), "gzip: argument '" + precious + "' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir");
        assertRefused(exec("gzip", "-k", relative), "gzip: argument '" + relative + "' climbs with '..'; "
                + "name files in bullpen.worker.exec.work-dir without it");

        assertThat(precious).hasBinaryContent(original);
        assertThat(precious.resolveSibling(precious.getFileName() + ".gz")).doesNotExist();
    }

    @Test
    void dotDotCannotClimbOut() throws IOException {
        Path secret = Files.writeString(outside.resolve("dotdot-" + System.nanoTime() + ".txt"), "outside");
        String relative = "../outside/" + secret.getFileName();

        assertRefused(exec("sha256sum", relative), "sha256sum: argument '" + relative + "' climbs with '..'; "
                + "name files in bullpen.worker.exec.work-dir without it");
        assertRefused(exec("sha256sum", "sub/../../../../../../etc/passwd"), "sha256sum: argument "
                + "'sub/../../../../../../etc/passwd' climbs with '..'; name files in bullpen.worker.exec.work-dir without it");
    }

    @Test
    void aLinkInTheWorkDirCannotLeadOut() throws IOException {
        byte[] original = "outside, reached by a link\n".getBytes(StandardCharsets.UTF_8);
        Path secret = Files.write(outside.resolve("linked-" + System.nanoTime() + ".txt"), original);
        String link = "link-" + System.nanoTime();
        Files.createSymbolicLink(work.resolve(link), secret);
        Files.createSymbolicLink(work.resolve(link + "-dir"), outside);
        Files.createSymbolicLink(work.resolve(link + "-shadow"), Path.of("/etc/shadow"));

        assertRefused(exec("sha256sum", link), "sha256sum: argument '" + link + "' leads out of "
                + "bullpen.worker.exec.work-dir through a symbolic link");
        assertRefused(exec("sha256sum", link + "-shadow"), "sha256sum: argument '" + link + "-shadow' leads out of "
                + "bullpen.worker.exec.work-dir through a symbolic link");
        String throughDir = link + "-dir/" + secret.getFileName();
        assertRefused(exec("gzip", "-k", throughDir), "gzip: argument '" + throughDir + "' leads out of "
                + "bullpen.worker.exec.work-dir through a symbolic link");
        assertThat(secret).hasBinaryContent(original);
        assertThat(outside.resolve(secret.getFileName() + ".gz")).doesNotExist();
    }

    @Test
    void anAbsolutePathIntoTheWorkDirIsRefusedNamingTheRelativeOne() throws IOException {
        Path file = Files.writeString(Files.createDirectories(work.resolve("abs")).resolve("in.txt"), "inside");

        assertRefused(exec("sha256sum", file.toString()), "sha256sum: argument '" + file + "' is an absolute path; "
                + "name files relative to bullpen.worker.exec.work-dir, here 'abs/in.txt'");
    }

    @Test
    void aFlagNotListedIsRefusedAloneOrInACluster() throws IOException {
        Files.writeString(work.resolve("suffix.txt"), "x".repeat(100));

        assertRefused(exec("gzip", "-S", ".x", "suffix.txt"), "gzip: flag '-S' is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertRefused(exec("gzip", "--suffix=.x", "suffix.txt"), "gzip: flag '--suffix=.x' is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertRefused(exec("gzip", "-k9r", "suffix.txt"), "gzip: flag '-r' (in '-k9r') is not allowed; "
                + "bullpen.worker.exec.programs.gzip.flags is [-c, -d, -k, -1, -9]");
        assertRefused(exec("sha256sum", "-c", "suffix.txt"), "sha256sum: flag '-c' is not allowed; "
                + "bullpen.worker.exec.programs.sha256sum.flags lists none");
        assertThat(work.resolve("suffix.txt")).exists();
        assertThat(work.resolve("suffix.txt.x")).doesNotExist();
    }

    @Test
    void whatTheReadmeDoesInTheWorkDirWorks() throws Exception {
        String text = "a line of the notes\n".repeat(200);
        Files.writeString(work.resolve("notes.txt"), text);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(work.resolve("notes.txt.gz")))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }

        // Relative names resolve in the work-dir, which is the program's working directory.
        assertThat(exec("sha256sum", "notes.txt").get(WAIT, CommandResult.class).stdout())
                .isEqualTo(sha256(text) + "  notes.txt\n");
        // A cluster of listed flags: decompress to stdout.
        assertThat(exec("gzip", "-dc", "notes.txt.gz").get(WAIT, CommandResult.class).stdout()).isEqualTo(text);
        // stdin needs no file at all.
        assertThat(client.send(CommandTask.NAME, List.of(), Map.of("program", "sha256sum", "stdin", text),
                TaskOptions.defaults()).get(WAIT, CommandResult.class).stdout()).isEqualTo(sha256(text) + "  -\n");
    }

    /** The example of docs/command-tasks.md: gzip fanned out over many files in the work-dir as one group. */
    @Test
    void aGroupGzipsManyFilesInTheWorkDir() throws IOException {
        Path in = Files.createDirectories(work.resolve("in"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(in.resolve("part-" + i + ".txt"), ("line " + i + " of a file to compress\n").repeat(100 + i));
        }
        List<String> inputs;
        try (var listing = Files.list(in)) {
            inputs = listing.map(file -> "in/" + file.getFileName()).sorted().toList();
        }

        GroupHandle gzipped = client.apply(Workflow.group(inputs.stream()
                .map(file -> Workflow.task("bullpen.exec", List.of(), Map.of("program", "gzip", "args", List.of("-k", file))))
                .toList()));
        List<JsonNode> results = gzipped.get(Duration.ofMinutes(1));   // one {"exit_code": 0, ...} per file, in order

        assertThat(results).hasSize(20).allSatisfy(r -> assertThat(r.get("exit_code").intValue()).isZero());
        for (String name : inputs) {
            Path file = work.resolve(name);
            Path gz = file.resolveSibling(file.getFileName() + ".gz");
            try (var unzipped = new GZIPInputStream(Files.newInputStream(gz))) {
                assertThat(new String(unzipped.readAllBytes(), StandardCharsets.UTF_8)).as("%s", gz).isEqualTo(Files.readString(file));
            }
        }
    }

    @Test
    void theProgramSeesNoneOfTheWorkersEnvironment() {
        Set<String> passedOn = Set.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOME", "TMPDIR", ProcessTree.MARKER);
        // The worker (this JVM) has variables of its own, or this test could not fail.
        assertThat(System.getenv().keySet()).as("the worker's variables").anyMatch(name -> !passedOn.contains(name));

        String stdout = exec("printenv").get(WAIT, CommandResult.class).stdout();

        Set<String> seen = Arrays.stream(stdout.split("\n")).filter(line -> !line.isEmpty())
                .map(line -> line.substring(0, line.indexOf('='))).collect(Collectors.toSet());
        assertThat(seen).contains("PATH", "HOME", "TMPDIR", ProcessTree.MARKER).isSubsetOf(passedOn);
        assertThat(stdout).contains("HOME=" + root.resolve("scratch"));
    }

    private TaskHandle exec(String program, String... args) {
        return client.send(CommandTask.NAME, List.of(), new LinkedHashMap<>(Map.of("program", program, "args", List.of(args))),
                TaskOptions.defaults());
    }

    private static void assertRefused(TaskHandle handle, String message) {
        TaskFailedException failed = catchThrowableOfType(TaskFailedException.class, () -> handle.get(WAIT));
        assertThat(failed).as("task %s failed", handle.id()).isNotNull();
        assertThat(failed.remoteType()).as(failed.remoteMessage()).isEqualTo("ArgumentNotAllowed");
        assertThat(failed.remoteMessage()).isEqualTo(message);
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("bullpen-exec-confined-tests-");
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
