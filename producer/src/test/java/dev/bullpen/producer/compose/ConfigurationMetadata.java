package dev.bullpen.producer.compose;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every configuration property the applications on the test classpath declare, from the
 * {@code META-INF/spring-configuration-metadata.json} files that Spring Boot's jars and Bullpen's
 * configuration processor write. It tells whether an environment variable binds to something,
 * so a typo or a renamed property in docker-compose.yml fails a test instead of being ignored.
 */
final class ConfigurationMetadata {

    /** Variables the JVM or the image reads, not Spring. */
    private static final Set<String> NOT_SPRING = Set.of("JAVA_TOOL_OPTIONS", "JAVA_OPTS", "JDK_JAVA_OPTIONS", "TZ");

    /** Canonical name (lower case letters and digits only) to the property's declared type. */
    private final Map<String, String> properties;

    private ConfigurationMetadata(Map<String, String> properties) {
        this.properties = properties;
    }

    static ConfigurationMetadata fromClasspath() throws IOException {
        Map<String, String> properties = new HashMap<>();
        JsonMapper json = JsonMapper.builder().build();
        ClassLoader loader = ConfigurationMetadata.class.getClassLoader();
        for (String resource : List.of("META-INF/spring-configuration-metadata.json",
                "META-INF/additional-spring-configuration-metadata.json")) {
            for (URL url : Collections.list(loader.getResources(resource))) {
                try (InputStream in = url.openStream()) {
                    JsonNode root = json.readTree(in);
                    for (JsonNode property : root.path("properties")) {
                        properties.put(canonical(property.path("name").asString()), property.path("type").asString(""));
                    }
                }
            }
        }
        return new ConfigurationMetadata(properties);
    }

    /** True if some application property has this name (Spring Boot's relaxed binding, all forms). */
    boolean knows(String property) {
        return properties.containsKey(canonical(property));
    }

    /**
     * The variables of an environment block that bind to no property. A variable binds when its
     * canonical name is a property's, or starts with that of a Map or List property (its keys and
     * indexes are the user's).
     */
    List<String> unknownVariables(Map<String, String> environment) {
        List<String> unknown = new ArrayList<>();
        for (String variable : environment.keySet()) {
            if (NOT_SPRING.contains(variable)) {
                continue;
            }
            String name = canonical(variable);
            boolean binds = properties.containsKey(name) || properties.entrySet().stream()
                    .anyMatch(p -> isContainer(p.getValue()) && name.startsWith(p.getKey()) && name.length() > p.getKey().length());
            if (!binds) {
                unknown.add(variable);
            }
        }
        return unknown;
    }

    int size() {
        return properties.size();
    }

    private static boolean isContainer(String type) {
        return type.startsWith("java.util.Map") || type.startsWith("java.util.List") || type.startsWith("java.util.Set");
    }

    /** SPRING_RABBITMQ_HOST, spring.rabbitmq.host and bullpen.worker.shutdown-timeout all reduce to letters and digits. */
    private static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
