package dev.bullpen.protocol;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

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
