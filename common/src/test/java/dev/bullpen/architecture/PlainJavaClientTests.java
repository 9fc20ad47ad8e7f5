package dev.bullpen.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Builds a TaskClient and sends with it from a class loader that has common's classes and its
 * dependencies but no Spring and no Lettuce, as a plain Java application would: a class the client
 * needs from Spring would fail it with {@code NoClassDefFoundError}. No broker is needed: the send
 * goes to a port nothing listens on and must fail as a publish error, having loaded the whole path.
 */
class PlainJavaClientTests {

    @Test
    void aTaskClientBuildsAndSendsWithoutSpringOnTheClassPath() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("springframework") && !entry.contains("lettuce") && !entry.contains("test-classes")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader plain = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThat(urls).noneMatch(url -> url.toString().contains("spring"));
            assertThatClassIsMissing(plain, "org.springframework.data.redis.core.RedisTemplate");
            Class<?> factoryType = plain.loadClass("com.rabbitmq.client.ConnectionFactory");
            Object amqp = factoryType.getConstructor().newInstance();
            factoryType.getMethod("setPort", int.class).invoke(amqp, 1); // nothing listens: the send fails fast
            Class<?> resultsType = plain.loadClass("dev.bullpen.result.ResultBackend");
            Object results = plain.loadClass("dev.bullpen.result.InMemoryResultBackend").getConstructor().newInstance();
            Class<?> clientType = plain.loadClass("dev.bullpen.client.TaskClient");
            Object builder = clientType.getMethod("builder", factoryType, resultsType).invoke(null, amqp, results);
            try (AutoCloseable client = (AutoCloseable) builder.getClass().getMethod("build").invoke(builder)) {
                Class<?> optionsType = plain.loadClass("dev.bullpen.client.TaskOptions");
                Object options = optionsType.getMethod("defaults").invoke(null);
                Method sendAsync = clientType.getMethod("sendAsync", String.class, List.class, Map.class, optionsType);
                CompletableFuture<?> sent = (CompletableFuture<?>) sendAsync.invoke(client, "demo.add", List.of(2, 3),
                        Map.of(), options);
                Throwable failure = sent.handle((ok, error) -> error).join();
                assertThat(failure).isNotNull();
                assertThat(failure.getClass().getName()).isEqualTo("dev.bullpen.client.TaskPublishException");
                Object control = clientType.getMethod("control").invoke(client);
                assertThat(control.getClass().getName()).isEqualTo("dev.bullpen.client.TaskControl");
            }
        }
    }

    private static void assertThatClassIsMissing(ClassLoader loader, String name) {
        try {
            loader.loadClass(name);
            throw new AssertionError(name + " is on the plain class path");
        } catch (ClassNotFoundException expected) {
            // as for a plain Java application
        }
    }
}
