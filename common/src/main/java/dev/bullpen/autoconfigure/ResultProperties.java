package dev.bullpen.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code bullpen.result.*}: where and how long results are kept.
 *
 * @param keyPrefix prepended to every Redis key and channel, like Celery's {@code global_keyprefix}
 * @param expires how long a result is kept ({@code result_expires}, one day by default)
 * @param maxBytes the largest result stored (8 MB by default; less if Redis's {@code proto-max-bulk-len}
 *        is less): a task whose result is larger stores a FAILURE {@code ResultTooLarge} instead
 */
@ConfigurationProperties("bullpen.result")
public record ResultProperties(@DefaultValue("") String keyPrefix, @DefaultValue("1d") Duration expires,
        @DefaultValue("8MB") DataSize maxBytes) {

    public ResultProperties {
        if (maxBytes.toBytes() < 1024) {
            throw new IllegalArgumentException("bullpen.result.max-bytes must be at least 1KB, got " + maxBytes);
        }
    }
}
