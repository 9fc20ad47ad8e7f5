package dev.bullpen.worker.exec;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The repository's Dockerfile and docker-compose.yml, read for what can be proven without a Docker
 * engine: a stage's instructions (continuation lines joined), the user it ends as, and the worker
 * service's environment and volumes.
 */
final class WorkerImage {

    private static final Pattern USER = Pattern.compile("^USER\\s+(\\d+):(\\d+)$");

    private WorkerImage() {
    }

    /** The nearest directory above the working directory that holds both files. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("Dockerfile")) && Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no Dockerfile and docker-compose.yml above " + Path.of("").toAbsolutePath());
    }

    /** The instructions of the stage {@code FROM ... AS name}, each on one line, comments dropped. */
    static List<String> stage(String name) throws IOException {
        List<String> instructions = new ArrayList<>();
        boolean in = false;
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(repositoryRoot().resolve("Dockerfile"))) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            current.append(line.endsWith("\\") ? line.substring(0, line.length() - 1).strip() + " " : line);
            if (line.endsWith("\\")) {
                continue;
            }
            String instruction = current.toString().strip();
            current.setLength(0);
            if (instruction.startsWith("FROM ")) {
                in = instruction.matches("FROM \\S+ (?i:AS) " + Pattern.quote(name));
                continue;
            }
            if (in) {
                instructions.add(instruction);
            }
        }
        if (instructions.isEmpty()) {
            throw new IllegalStateException("the Dockerfile has no stage " + name);
        }
        return instructions;
    }

    /** The uid and gid of the stage's last {@code USER uid:gid}; {@code [0, 0]} (root) if it has none. */
    static long[] user(List<String> stage) {
        long[] user = {0, 0};
        for (String instruction : stage) {
            Matcher m = USER.matcher(instruction);
            if (m.matches()) {
                user = new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            } else if (instruction.startsWith("USER ")) {
                user = new long[] {-1, -1}; // a name: not checkable by a runtime that only sees numbers
            }
        }
        return user;
    }

    /** The worker service's definition in docker-compose.yml. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> composeWorker() throws IOException {
        try (Reader reader = Files.newBufferedReader(repositoryRoot().resolve("docker-compose.yml"))) {
            Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            return (Map<String, Object>) ((Map<String, Object>) root.get("services")).get("worker");
        }
    }

    /** The worker service's environment block, values as strings. */
    static Map<String, String> composeWorkerEnvironment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        if (composeWorker().get("environment") instanceof Map<?, ?> map) {
            map.forEach((key, value) -> env.put(key.toString(), String.valueOf(value)));
        }
        return env;
    }
}
