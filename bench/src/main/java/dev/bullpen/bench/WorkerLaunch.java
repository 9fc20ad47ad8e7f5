package dev.bullpen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How a worker process is started: from which jar, with which JVM options. {@link #image} starts it
 * the way the worker image does ({@code Dockerfile}, target worker): {@link #IMAGE_OPTIONS}, the jar
 * extracted with {@code -Djarmode=tools extract}, and a JDK AOT cache trained as the image build
 * trains it.
 *
 * @param jar the jar to start instead of the one asked for, or null for that one
 * @param options JVM options ahead of every worker's own
 */
record WorkerLaunch(@Nullable Path jar, List<String> options) {

    /**
     * The worker image's JVM options: its {@code JAVA_TOOL_OPTIONS}, repeated in docker-compose.yml
     * ({@code WorkerLaunchTests} checks both say the same). A small fixed young generation keeps the
     * heap the start-up touches small; Serial is what the JVM picks by itself in a 512 MB container;
     * the native heap is trimmed every second, handing back what start-up's compilations freed.
     */
    static final List<String> IMAGE_OPTIONS =
            List.of("-XX:+UseSerialGC", "-Xmx256m", "-Xmn16m", "-XX:TrimNativeHeapInterval=1000");

    /** The jar as asked, with no options: how the bench started workers before it followed the image. */
    static WorkerLaunch plain() {
        return new WorkerLaunch(null, List.of());
    }

    /** The image's options on the plain jar, without the AOT cache. */
    static WorkerLaunch imageWithoutCache() {
        return new WorkerLaunch(null, IMAGE_OPTIONS);
    }

    /**
     * The image's way: the jar extracted into {@code dir} and an AOT cache trained there with the
     * image's options, as the Dockerfile does. The training run has no Redis (as in {@code docker
     * build}): it stops where the context first connects to Redis, and the cache holds every class
     * loaded up to there.
     */
    static WorkerLaunch image(Path workerJar, Path dir) throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        deleteTree(dir);
        Files.createDirectories(dir);
        Path copy = dir.resolve("app-exec.jar");
        Files.copy(workerJar, copy);
        Path extracted = dir.resolve("app");
        run(dir, List.of(java.toString(), "-Djarmode=tools", "-jar", copy.toString(), "extract", "--destination",
                extracted.toString()), true);
        Path jar = extracted.resolve("app-exec.jar").toAbsolutePath();
        Path cache = extracted.resolve("app.aot").toAbsolutePath();
        List<String> train = new ArrayList<>(List.of(java.toString()));
        train.addAll(IMAGE_OPTIONS);
        // A closed port stands for the missing Redis of docker build, so the training stops where the image's does.
        train.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-Dspring.context.exit=onRefresh", "-jar", jar.toString(),
                "--spring.data.redis.port=" + ServiceProcess.freePort(), "--logging.level.root=warn"));
        run(dir, train, false);
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalStateException("the training run left no AOT cache at " + cache + "; see "
                    + dir.resolve("train.log"));
        }
        List<String> options = new ArrayList<>(IMAGE_OPTIONS);
        options.add("-XX:AOTCache=" + cache);
        return new WorkerLaunch(jar, List.copyOf(options));
    }

    /** The jar to start for {@code asked}. */
    Path jarFor(Path asked) {
        return jar != null ? jar : asked;
    }

    /** Whether workers start with an AOT cache. */
    boolean cached() {
        return options.stream().anyMatch(o -> o.startsWith("-XX:AOTCache="));
    }

    private static void run(Path dir, List<String> command, boolean mustSucceed)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("train.log").toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (mustSucceed && process.exitValue() != 0) {
            throw new IllegalStateException("failed (" + process.exitValue() + "): " + command + "; see "
                    + dir.resolve("train.log"));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
