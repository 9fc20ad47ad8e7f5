package dev.bullpen.worker.internal.limits;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A task's rate limit in Celery's syntax: {@code "100/s"}, {@code "10/m"}, {@code "5/h"}, or a bare
 * number of tasks per second ({@code "2.5"}).
 *
 * @param text the limit as written, for log lines and errors
 * @param interval the time one task "costs": the bucket gains one token per interval
 */
public record RateLimit(String text, Duration interval) {

    private static final Pattern FORM = Pattern.compile("([+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)\\s*(?:/\\s*(\\S+))?");
    private static final String EXAMPLES = "write e.g. \"100/s\", \"10/m\", \"5/h\" or a number of tasks per second such as \"2.5\"";

    public RateLimit {
        if (!interval.isPositive()) {
            throw new IllegalArgumentException("a rate limit's interval must be positive, got " + interval);
        }
    }

    /**
     * Parses a limit; blank, or a rate of zero, means none (as in Celery, where a zero rate disables
     * the limit), so a configured {@code "0"} switches off a limit the annotation declares.
     *
     * @throws IllegalArgumentException saying what is wrong and what to write instead
     */
    public static @Nullable RateLimit parse(String value) {
        String text = value.strip();
        if (text.isEmpty()) {
            return null;
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("rate limit \"" + value + "\" is not a rate; " + EXAMPLES);
        }
        BigDecimal count;
        try {
            count = new BigDecimal(m.group(1));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("rate limit \"" + value + "\" is not a rate; " + EXAMPLES, ex);
        }
        long unitNanos = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("rate limit \"" + value + "\" has unit \"" + m.group(2)
                    + "\"; Celery's units are s, m and h: " + EXAMPLES);
        };
        if (count.signum() == 0) {
            return null;
        }
        BigDecimal nanos = BigDecimal.valueOf(unitNanos).divide(count, 0, RoundingMode.HALF_UP);
        if (nanos.signum() == 0) {
            throw new IllegalArgumentException("rate limit \"" + value + "\" is more than a task per nanosecond");
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("rate limit \"" + value + "\" is too low to wait for");
        }
        return new RateLimit(text, Duration.ofNanos(nanos.longValueExact()));
    }

    @Override
    public String toString() {
        return text;
    }
}
