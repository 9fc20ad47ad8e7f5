package dev.bullpen.producer.compose;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The top-level {@code docker-compose.yml}, read the way Compose reads it for what the tests need:
 * each service's {@code environment} block (map or list form) with {@code ${VAR:-default}}
 * interpolated from defaults only, as on a machine that sets none of them.
 */
final class ComposeFile {

    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    private final Map<String, Object> services;

    private ComposeFile(Map<String, Object> services) {
        this.services = services;
    }

    /** Reads the repository's docker-compose.yml. */
    static ComposeFile load() throws IOException {
        return read(repositoryRoot().resolve("docker-compose.yml"));
    }

    /** The working directory or the nearest parent that holds docker-compose.yml. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    static ComposeFile read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            return new ComposeFile((Map<String, Object>) root.get("services"));
        }
    }

    /** The service's environment, in file order, with interpolations replaced by their defaults. */
    @SuppressWarnings("unchecked")
    Map<String, String> environment(String service) {
        Map<String, Object> definition = (Map<String, Object>) services.get(service);
        if (definition == null) {
            throw new IllegalArgumentException("docker-compose.yml has no service " + service);
        }
        Map<String, String> env = new LinkedHashMap<>();
        Object block = definition.get("environment");
        if (block instanceof Map<?, ?> map) {
            map.forEach((key, value) -> env.put(key.toString(), value == null ? "" : interpolate(value.toString())));
        } else if (block instanceof List<?> list) {
            for (Object entry : list) {
                String[] pair = entry.toString().split("=", 2);
                env.put(pair[0], pair.length > 1 ? interpolate(pair[1]) : "");
            }
        }
        return env;
    }

    private static String interpolate(String value) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        return m.appendTail(out).toString();
    }
}
