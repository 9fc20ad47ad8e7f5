package dev.bullpen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bench measures the worker started as users get it: the JVM options it starts workers with are
 * the worker image's (Dockerfile, target worker) and the ones docker-compose.yml gives the worker.
 */
class WorkerLaunchTests {

    @Test
    void theBenchStartsWorkersWithTheImagesJvmOptions() throws IOException {
        String dockerfile = Files.readString(root().resolve("Dockerfile"));
        String workerStage = dockerfile.substring(dockerfile.indexOf("AS worker"));

        assertThat(options(workerStage, "ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"")).isEqualTo(WorkerLaunch.IMAGE_OPTIONS);
        assertThat(workerStage).contains("-XX:AOTCacheOutput=/app/app.aot", "\"-XX:AOTCache=/app/app.aot\"");
    }

    @Test
    void composeGivesTheWorkerTheImagesJvmOptions() throws IOException {
        String compose = Files.readString(root().resolve("docker-compose.yml"));
        String worker = compose.substring(compose.indexOf("\n  worker:"), compose.indexOf("\n  prometheus:"));

        assertThat(options(worker, "JAVA_TOOL_OPTIONS: \"([^\"]*)\"")).isEqualTo(WorkerLaunch.IMAGE_OPTIONS);
    }

    @Test
    void onlyTheImageLaunchUsesACache() {
        assertThat(WorkerLaunch.plain().options()).isEmpty();
        assertThat(WorkerLaunch.imageWithoutCache().cached()).isFalse();
        assertThat(new WorkerLaunch(Path.of("app.jar"), List.of("-XX:AOTCache=/x/app.aot")).cached()).isTrue();
        assertThat(WorkerLaunch.plain().jarFor(Path.of("asked.jar"))).isEqualTo(Path.of("asked.jar"));
    }

    private static List<String> options(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in %n%s", regex, text).isTrue();
        return Arrays.asList(m.group(1).trim().split("\\s+"));
    }

    private static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("Dockerfile")) && Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no Dockerfile above " + Path.of("").toAbsolutePath());
    }
}
