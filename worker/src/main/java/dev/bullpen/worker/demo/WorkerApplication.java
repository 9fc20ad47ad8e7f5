package dev.bullpen.worker.demo;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The runnable worker. Its defaults live here rather than in an {@code application.yml}, so that an
 * application which depends on bullpen-worker as a library never picks them up by accident.
 */
@SpringBootApplication
public class WorkerApplication {

    /** Defaults for the runnable worker; environment variables and arguments override them. */
    public static final Map<String, Object> DEFAULTS = Map.of(
            "spring.application.name", "bullpen-worker",
            "server.port", "8081",
            "server.shutdown", "graceful",
            "management.endpoints.web.exposure.include", "health,info,metrics,prometheus",
            "management.endpoint.health.probes.enabled", "true",
            // An observation (a timer, and a span with tracing) around every Redis command cost 8-12% of the
            // worker's CPU in the bench; no Bullpen dashboard reads those lettuce timers. Re-enable by
            // setting spring.autoconfigure.exclude to something else.
            "spring.autoconfigure.exclude",
            "org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration");

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(WorkerApplication.class);
        app.setDefaultProperties(DEFAULTS);
        app.run(args);
    }
}
