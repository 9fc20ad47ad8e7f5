package dev.bullpen.worker.internal.limits;

import dev.bullpen.protocol.TimeLimit;
import dev.bullpen.worker.Task;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;

/**
 * A task's hard and soft time limits: from its {@link Task} annotation, overridden per call by the
 * message's {@code timelimit} header as Celery does ({@code time_limit or task.time_limit}: a
 * missing or zero value in the header falls back to the task's).
 *
 * @param hard past this the run is abandoned and fails with {@code TimeLimitExceeded}; {@code null} for none
 * @param soft past this the task's thread is interrupted to see {@code SoftTimeLimitExceeded}; {@code null} for none
 */
public record TimeLimits(@Nullable Duration hard, @Nullable Duration soft) {

    public static final TimeLimits NONE = new TimeLimits(null, null);

    private static final Pattern SECONDS = Pattern.compile("[+]?\\d*\\.?\\d+");

    public TimeLimits {
        if ((hard != null && !hard.isPositive()) || (soft != null && !soft.isPositive())) {
            throw new IllegalArgumentException("time limits must be positive, got hard " + hard + ", soft " + soft);
        }
    }

    /** The limits a {@link Task} annotation declares; read at registration, so a bad one stops the application. */
    public static TimeLimits of(@Nullable Task task) {
        if (task == null) {
            return NONE;
        }
        return new TimeLimits(parse("timeLimit", task.timeLimit()), parse("softTimeLimit", task.softTimeLimit()));
    }

    /** The limits for one call: the header's where it sets them, these otherwise. */
    public TimeLimits forCall(TimeLimit header) {
        Duration callHard = seconds(header.hard());
        Duration callSoft = seconds(header.soft());
        if (callHard == null && callSoft == null) {
            return this;
        }
        return new TimeLimits(callHard != null ? callHard : hard, callSoft != null ? callSoft : soft);
    }

    public boolean isNone() {
        return hard == null && soft == null;
    }

    /**
     * {@code "30s"}, {@code "500ms"}, {@code "2m"}, {@code "PT1M30S"}, or plain seconds ({@code "90"},
     * {@code "0.5"}, as Celery takes them); blank for none.
     */
    static @Nullable Duration parse(String attribute, String value) {
        if (value.isBlank()) {
            return null;
        }
        String text = value.strip();
        Duration duration;
        try {
            duration = SECONDS.matcher(text).matches()
                    ? Duration.ofNanos(new BigDecimal(text).movePointRight(9).longValueExact())
                    : DurationStyle.detectAndParse(text, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException | ArithmeticException ex) {
            throw new IllegalArgumentException("@Task(" + attribute + " = \"" + value + "\") is not a duration; "
                    + "write e.g. \"30s\", \"500ms\", \"2m\", \"PT1M\" or a number of seconds", ex);
        }
        if (!duration.isPositive()) {
            throw new IllegalArgumentException("@Task(" + attribute + " = \"" + value + "\") must be positive");
        }
        return duration;
    }

    private static @Nullable Duration seconds(@Nullable Double seconds) {
        if (seconds == null || !(seconds > 0) || seconds.isInfinite()) {
            return null; // Celery: "time_limit or task.time_limit", so 0 means the task's own
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
