package dev.bullpen.worker.app;

import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The runnable worker. Its defaults live here rather than in an {@code application.yml}, so that an
 * application which depends on bullpen-worker as a library never picks them up by accident.
 *
 * <p>It runs the demo tasks of {@code dev.bullpen.worker.demo}, scanned by name: they are what the
 * image and the README's tour call, and they stay demo code beside, not inside, the runnable worker.
 */
@SpringBootApplication(scanBasePackages = {"dev.bullpen.worker.app", "dev.bullpen.worker.demo"})
public class WorkerApplication {

    /**
     * Auto-configurations the runnable worker never uses. Each costs start-up time and memory (classes,
     * beans, a scan): the worker speaks AMQP and Redis through its own clients and serves only Actuator.
     */
    static final List<String> EXCLUDED = List.of(
            // An observation (a timer, and a span with tracing) around every Redis command cost 8-12% of the
            // worker's CPU in the bench; no Bullpen dashboard reads those lettuce timers.
            "org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration",
            // Reactive Redis templates (the blocking health check takes over), Redis repositories and their scan,
            // repository metrics, Spring Data's web support: nothing in the worker uses them.
            "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration",
            "org.springframework.boot.data.autoconfigure.metrics.DataRepositoryMetricsAutoConfiguration",
            "org.springframework.boot.data.autoconfigure.web.DataWebAutoConfiguration",
            // No transactions, no JPA-style exception translation.
            "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
            "org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration",
            "org.springframework.boot.persistence.autoconfigure.PersistenceExceptionTranslationAutoConfiguration",
            // The HTTP port serves Actuator only: no uploads, no error pages, no request timers (the dashboard
            // reads http_server_requests from the producer alone), no form-encoding filter.
            "org.springframework.boot.servlet.autoconfigure.MultipartAutoConfiguration",
            "org.springframework.boot.servlet.autoconfigure.HttpEncodingAutoConfiguration",
            "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration",
            "org.springframework.boot.webmvc.autoconfigure.WebMvcObservationAutoConfiguration",
            // No @Scheduled, no application task executor: the worker runs tasks on its own virtual threads.
            "org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration",
            "org.springframework.boot.micrometer.observation.autoconfigure.ScheduledTasksObservationAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.task.TaskExecutorMetricsAutoConfiguration",
            // The worker's own health (UP while it consumes) already says whether the broker is reachable; Spring's
            // rabbit contributor opened a second AMQP connection, on the first probe, to ask the broker's version.
            "org.springframework.boot.amqp.autoconfigure.health.RabbitHealthContributorAutoConfiguration",
            // No SSL bundles to watch.
            "org.springframework.boot.health.autoconfigure.application.SslHealthContributorAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.ssl.SslMetricsAutoConfiguration");

    /**
     * Defaults for the runnable worker; environment variables and arguments override them. Setting
     * {@code spring.autoconfigure.exclude} replaces {@link #EXCLUDED} whole.
     */
    public static final Map<String, Object> DEFAULTS = Map.of(
            "spring.application.name", "bullpen-worker",
            "server.port", "8081",
            "server.shutdown", "graceful",
            // A management-only port: a handful of scrapes and probes, never the default 200 threads.
            "server.tomcat.threads.max", "8",
            "server.tomcat.threads.min-spare", "1",
            "server.tomcat.accept-count", "20",
            "server.tomcat.max-connections", "64",
            "management.endpoints.web.exposure.include", "health,info,metrics,prometheus",
            "management.endpoint.health.probes.enabled", "true",
            "spring.autoconfigure.exclude", String.join(",", EXCLUDED));

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(WorkerApplication.class);
        app.setDefaultProperties(DEFAULTS);
        app.run(args);
    }
}
