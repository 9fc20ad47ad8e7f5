package dev.bullpen.protocol;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import org.jspecify.annotations.Nullable;

/**
 * Dates as Python's {@code datetime.isoformat()} writes them: microseconds only when non-zero,
 * and {@code +00:00} rather than {@code Z}. A date without an offset is UTC, as the protocol says.
 */
public final class WireTime {

    private static final DateTimeFormatter PARSER = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");

    private WireTime() {
    }

    /** Parses an ISO-8601 date-time; a naive one is taken as UTC. */
    public static OffsetDateTime parse(String text) {
        OffsetDateTime fast = parseCommonUtc(text);
        if (fast != null) {
            return fast;
        }
        try {
            TemporalAccessor parsed = PARSER.parse(text.replace(' ', 'T'));
            LocalDateTime local = LocalDateTime.from(parsed);
            ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
                    ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
                    : ZoneOffset.UTC;
            return OffsetDateTime.of(local, offset);
        } catch (DateTimeParseException ex) {
            throw new MalformedMessageException("not an ISO-8601 date-time: '" + text + "'", ex);
        }
    }

    /**
     * What Celery and Bullpen write nearly always, {@code 2026-11-25T08:00:21[.724910][+00:00|Z]}, read
     * without the general formatter, which was most of the cost of decoding a result; null for
     * anything else, which the formatter then reads.
     */
    private static @Nullable OffsetDateTime parseCommonUtc(String t) {
        int n = t.length();
        int end = n;
        if (n > 0 && t.charAt(n - 1) == 'Z') {
            end = n - 1;
        } else if (t.endsWith("+00:00")) {
            end = n - 6;
        }
        if ((end != 19 && end != 26) || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':' || (end == 26 && t.charAt(19) != '.')) {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        int micros = end == 26 ? digits(t, 20, 6) : 0;
        if ((year | month | day | hour | minute | second | micros) < 0) {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, micros * 1000, ZoneOffset.UTC);
        } catch (DateTimeException outOfRange) {
            return null; // the formatter says what is wrong with it
        }
    }

    /** The decimal number in {@code t[from, from + count)}, or -1 when a character is not a digit. */
    private static int digits(String t, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Formats with its offset, e.g. {@code 2026-11-25T08:00:21.724910+00:00}. */
    public static String format(OffsetDateTime time) {
        OffsetDateTime micros = time.withNano(time.getNano() / 1000 * 1000);
        String offset = micros.getOffset().equals(ZoneOffset.UTC) ? "+00:00" : micros.getOffset().getId();
        return formatLocal(micros.toLocalDateTime()) + offset;
    }

    /** Formats as naive UTC, the way Celery 5.2 writes {@code date_done}. */
    public static String formatNaiveUtc(OffsetDateTime time) {
        return formatLocal(time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
    }

    private static String formatLocal(LocalDateTime local) {
        return (local.getNano() / 1000 == 0 ? SECONDS : MICROS).format(local);
    }
}
