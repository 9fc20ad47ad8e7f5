package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Dates as Python's datetime.isoformat() writes them. */
class WireTimeTests {

    private static final OffsetDateTime ETA = OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000, ZoneOffset.UTC);

    @Test
    void parsesWhatCeleryWrites() {
        assertThat(WireTime.parse("2026-11-25T08:00:21.724910+00:00")).isEqualTo(ETA);
    }

    @Test
    void keepsTheOffset() {
        OffsetDateTime parsed = WireTime.parse("2026-11-25T09:30:21.724910+01:30");

        assertThat(parsed.getOffset()).isEqualTo(ZoneOffset.ofHoursMinutes(1, 30));
        assertThat(parsed.toInstant()).isEqualTo(ETA.toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-25T08:00:21.724910", "2026-11-25 08:00:21.724910", "2026-11-25T08:00:21.724910Z",
        "2026-11-25T08:00:21.724910+0000", "2026-11-25T08:00:21.72491+00:00"})
    void aNaiveTimeIsUtcAndOtherSpellingsAreAccepted(String text) {
        assertThat(WireTime.parse(text)).isEqualTo(ETA);
    }

    /** isoformat() writes 0 or 6 digits; other producers write any number from 0 to 9. */
    @ParameterizedTest
    @CsvSource({
        "'',       0",
        ".7,       700000000",
        ".72,      720000000",
        ".724,     724000000",
        ".7249,    724900000",
        ".72491,   724910000",
        ".724910,  724910000",
        ".000001,  1000",
        ".123456789, 123456789"})
    void fractionalSecondsOfAnyLengthWithAnyZoneSpelling(String fraction, int nanos) {
        OffsetDateTime utc = OffsetDateTime.of(2026, 11, 25, 8, 0, 21, nanos, ZoneOffset.UTC);

        for (String zone : new String[] {"", "Z", "+00:00", "+0000", "-00:00"}) {
            assertThat(WireTime.parse("2026-11-25T08:00:21" + fraction + zone)).as(fraction + zone).isEqualTo(utc);
        }
        assertThat(WireTime.parse("2026-11-25T13:30:21" + fraction + "+05:30").toInstant()).isEqualTo(utc.toInstant());
        assertThat(WireTime.parse("2026-11-25T00:00:21" + fraction + "-08:00").toInstant()).isEqualTo(utc.toInstant());
    }

    @Test
    void aNaiveTimeIsUtcNotTheLocalZone() {
        // Celery 5.2's worker reads a naive eta in its own timezone; Bullpen follows the protocol doc: UTC.
        assertThat(WireTime.parse("2026-11-25T08:00:21").getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(WireTime.parse("2026-11-25T08:00").toInstant()).isEqualTo(ETA.withSecond(0).withNano(0).toInstant());
    }

    @Test
    void anOffsetWithSecondsAsPythonWritesForOddZones() {
        assertThat(WireTime.parse("2026-11-25T08:00:21+05:30:15").getOffset())
                .isEqualTo(ZoneOffset.ofHoursMinutesSeconds(5, 30, 15));
    }

    @Test
    void parsesWholeSecondsAndNegativeOffsets() {
        assertThat(WireTime.parse("2026-11-25T03:00:00-05:00"))
                .isEqualTo(OffsetDateTime.of(2026, 11, 25, 3, 0, 0, 0, ZoneOffset.ofHours(-5)));
    }

    @ParameterizedTest
    @CsvSource({
        "2026-11-25T08:00:21.724910Z, 2026-11-25T08:00:21.724910+00:00",
        "2026-11-25T08:00:21Z, 2026-11-25T08:00:21+00:00",
        "2026-11-25T08:00:21.000001Z, 2026-11-25T08:00:21.000001+00:00",
        "2026-11-25T08:00:21.5Z, 2026-11-25T08:00:21.500000+00:00",
        "2026-11-25T08:00:21.123456789Z, 2026-11-25T08:00:21.123456+00:00",
        "2026-11-25T08:00:21.000000999Z, 2026-11-25T08:00:21+00:00",
        "2026-11-25T09:00:21+01:00, 2026-11-25T09:00:21+01:00",
        "2026-11-25T03:00:21-05:00, 2026-11-25T03:00:21-05:00"})
    void formatsLikeIsoformat(String time, String python) {
        assertThat(WireTime.format(OffsetDateTime.parse(time))).isEqualTo(python);
    }

    @ParameterizedTest
    @CsvSource({
        "2026-11-25T08:00:05.686298Z, 2026-11-25T08:00:05.686298",
        "2026-11-25T09:00:05.686298+01:00, 2026-11-25T08:00:05.686298",
        "2026-11-25T08:00:05Z, 2026-11-25T08:00:05"})
    void formatsNaiveUtcLikeCelery52DateDone(String time, String python) {
        assertThat(WireTime.formatNaiveUtc(OffsetDateTime.parse(time))).isEqualTo(python);
    }

    /** The common spellings take a short cut past the formatter; it must read them exactly as the formatter does. */
    @ParameterizedTest
    @ValueSource(strings = {"2026-11-25T08:00:21.724910", "2026-11-25T08:00:21", "2026-11-25T08:00:21.724910+00:00",
        "2026-11-25T08:00:21+00:00", "2026-11-25T08:00:21.000001Z", "2024-02-29T23:59:59.999999", "0001-01-01T00:00:00"})
    void theShortCutReadsWhatTheFormatterReads(String text) {
        OffsetDateTime viaFormatter = OffsetDateTime.parse(text.length() == 19 || text.length() == 26 ? text + "Z" : text);

        assertThat(WireTime.parse(text)).isEqualTo(viaFormatter);
        assertThat(WireTime.parse(text).getOffset()).isSameAs(ZoneOffset.UTC);
    }

    @Test
    void roundTrips() {
        OffsetDateTime t = OffsetDateTime.of(2026, 2, 3, 4, 5, 6, 7_000, ZoneOffset.ofHours(9));
        assertThat(WireTime.parse(WireTime.format(t))).isEqualTo(t);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tomorrow", "2026-11-25", "2026-13-01T00:00:00", "2026-11-25T25:00:00",
        "1732521621", "2026-11-25T08:00:21+25:00", "2026-11-25T08:00:2x", "2026-11-25T08:00:21.72491x",
        "2026-11-25T08:00:21.724910+00:0x", "Z", "+00:00", "2026-11-25X08:00:21"})
    void rejectsWhatIsNotAnIsoDateTime(String text) {
        assertThatThrownBy(() -> WireTime.parse(text))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
