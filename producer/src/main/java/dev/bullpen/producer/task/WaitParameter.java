package dev.bullpen.producer.task;

import java.math.BigDecimal;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The {@code wait} query parameter of the read endpoints: seconds to wait for a final state. */
final class WaitParameter {

    private WaitParameter() {
    }

    /**
     * Zero when absent or blank; a longer wait than {@code max} is cut to it (as the API documents),
     * a negative or non-numeric one is a 400 naming the parameter.
     */
    static Duration parse(@Nullable String wait, Duration max) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(wait.strip());
        } catch (NumberFormatException ex) {
            throw new InvalidTaskRequestException("wait", "wait must be a number of seconds, got \"" + wait + "\"");
        }
        if (seconds.signum() < 0) {
            throw new InvalidTaskRequestException("wait", "wait must not be negative, got " + wait);
        }
        BigDecimal cap = BigDecimal.valueOf(max.toMillis()).movePointLeft(3);
        return seconds.compareTo(cap) >= 0 ? max : Duration.ofMillis(seconds.movePointRight(3).longValue());
    }
}
