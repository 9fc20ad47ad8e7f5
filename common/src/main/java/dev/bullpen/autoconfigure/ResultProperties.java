package dev.bullpen.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bullpen.result.*}: where and how long results are kept.
 *
 * @param keyPrefix prepended to every Redis key and channel, like Celery's {@code global_keyprefix}
 * @param expires how long a result is kept ({@code result_expires}, one day by default)
 */
@ConfigurationProperties("bullpen.result")
public record ResultProperties(@DefaultValue("") String keyPrefix, @DefaultValue("1d") Duration expires) {
}
