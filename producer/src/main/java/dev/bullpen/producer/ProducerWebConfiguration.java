package dev.bullpen.producer;

import dev.bullpen.autoconfigure.ClientProperties;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Web settings that follow from the producer's own limits. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "Bullpen producer",
        description = "Send Celery protocol v2 tasks to RabbitMQ over HTTP and read their results from Redis.",
        version = "v1"))
class ProducerWebConfiguration implements WebMvcConfigurer {

    /** Head room over the longest wait, so that the API's own timeouts always answer first. */
    private static final Duration MARGIN = Duration.ofSeconds(30);

    private final ProducerProperties properties;
    private final ClientProperties clientProperties;

    ProducerWebConfiguration(ProducerProperties properties, ClientProperties clientProperties) {
        this.properties = properties;
        this.clientProperties = clientProperties;
    }

    @Override
    public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
        // The container's default async timeout (30 s on Tomcat) would cut a 60 s long-poll short.
        Duration longest = properties.maxWait().compareTo(clientProperties.confirmTimeout()) > 0
                ? properties.maxWait() : clientProperties.confirmTimeout();
        configurer.setDefaultTimeout(longest.plus(MARGIN).toMillis());
    }
}
