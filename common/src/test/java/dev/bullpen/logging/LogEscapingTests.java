package dev.bullpen.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Any Spring Boot application with Bullpen on its class path (the producer, the worker) escapes
 * control characters in its log messages, through Boot's own logging set-up: no logback.xml needed.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogEscapingTests {

    @Configuration(proxyBeanMethods = false)
    static class Empty {
    }

    @Test
    void aMessageWithALineFeedStaysOnOneLine(CapturedOutput output) {
        SpringApplication app = new SpringApplication(Empty.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = app.run()) {
            LoggerFactory.getLogger("dev.bullpen.worker.internal.run.TaskRunner")
                    .error("Received unregistered task {}", "demo.add\n2026-01-01 ERROR forged line\u001b[2J");
        }

        assertThat(output.getOut()).contains("Received unregistered task demo.add\\n2026-01-01 ERROR forged line\\u001b[2J")
                .doesNotContain("\n2026-01-01 ERROR forged line");
    }
}
