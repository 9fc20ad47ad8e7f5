package dev.bullpen.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.client.QueueDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;

/** The YAML of docs/routing.md binds as documented: bracketed globs, queue definitions with dotted names. */
class RoutingPropertiesTests {

    private static RoutingProperties bind(String yaml) throws Exception {
        StandardEnvironment environment = environment(yaml);
        return new Binder(ConfigurationPropertySources.get(environment))
                .bindOrCreate("bullpen", RoutingProperties.class);
    }

    private static StandardEnvironment environment(String yaml) throws Exception {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("test", new ByteArrayResource(yaml.getBytes()));
        StandardEnvironment environment = new StandardEnvironment();
        sources.forEach(environment.getPropertySources()::addFirst);
        return environment;
    }

    @Test
    void bindsTheReadmeExample() throws Exception {
        RoutingProperties properties = bind("""
                bullpen:
                  routes:
                    "[images.*]": images
                    "[mail.send]": mail
                  queues:
                    images:
                      max-priority: 9
                    "[reports.urgent]":
                      max-priority: 5
                """);

        assertThat(properties.routes()).containsExactly(Map.entry("images.*", "images"), Map.entry("mail.send", "mail"));
        assertThat(properties.toRoutes().queueFor("images.thumbnail")).hasValue("images");
        assertThat(properties.toRoutes().queueFor("mail.send")).hasValue("mail");
        assertThat(properties.queues()).containsOnly(
                Map.entry("images", QueueDefinition.withMaxPriority(9)),
                Map.entry("reports.urgent", QueueDefinition.withMaxPriority(5)));
        assertThat(properties.queues().get("images").arguments()).containsOnly(Map.entry("x-max-priority", 9));
    }

    @Test
    void bindsTheReadmePrioritiesExample() throws Exception {
        RoutingProperties properties = bind("""
                bullpen:
                  routes:
                    "[reports.*]": reports
                  queues:
                    reports:
                      max-priority: 9              # x-max-priority: priorities 0..9
                    "[reports.eu]":                # a queue name with dots goes in brackets
                      max-priority: 9
                  worker:
                    queues: reports
                    prefetch: 1                    # see below: without it priority hardly matters
                """);

        assertThat(properties.toRoutes().queueFor("reports.build")).hasValue("reports");
        assertThat(properties.queues()).containsOnly(
                Map.entry("reports", QueueDefinition.withMaxPriority(9)),
                Map.entry("reports.eu", QueueDefinition.withMaxPriority(9)));
    }

    @Test
    void nothingConfiguredMeansNoRoutesAndNoDefinitions() throws Exception {
        RoutingProperties properties = bind("bullpen:\n  client:\n    default-queue: celery\n");

        assertThat(properties.toRoutes().isEmpty()).isTrue();
        assertThat(properties.queues()).isEmpty();
    }

    @Test
    void aGlobWithoutBracketsFailsAtStartupSayingHowToWriteIt() throws Exception {
        String yaml = """
                bullpen:
                  routes:
                    images.*: images
                """;
        // Spring's binder drops the '*' (and the dot before it): the route would silently be the name "images".
        assertThat(bind(yaml).routes()).containsOnly(Map.entry("images", "images"));

        assertThatThrownBy(() -> RoutingProperties.rejectUnbracketedGlobs(environment(yaml)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bullpen.routes.images.*")
                .hasMessageContaining("\"[images.*]\": images");
        RoutingProperties.rejectUnbracketedGlobs(environment("""
                bullpen:
                  routes:
                    "[images.*]": images
                    mail: mail
                """));
    }

    @Test
    void aMaxPriorityOutOfRabbitMqsRangeFailsAtStartup() {
        assertThatThrownBy(() -> bind("""
                bullpen:
                  queues:
                    images:
                      max-priority: 256
                """)).rootCause().hasMessageContaining("max-priority must be 1..255");
    }
}
