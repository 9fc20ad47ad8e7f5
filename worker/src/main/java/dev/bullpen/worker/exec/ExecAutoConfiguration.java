package dev.bullpen.worker.exec;

import dev.bullpen.worker.internal.WorkerAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Registers the built-in task {@code bullpen.exec} on every worker. It runs nothing until
 * {@code bullpen.worker.exec.allowed-programs} names programs.
 */
@AutoConfiguration(after = WorkerAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "bullpen.worker.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ExecProperties.class)
public class ExecAutoConfiguration {

    @Bean
    CommandTask bullpenExecTask(ExecProperties properties) {
        return new CommandTask(properties);
    }
}
