package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** kombu 5.3+'s {"__type__": t, "__value__": v} values, as kombu/utils/json.py writes them. */
class KombuJsonTests {

    private static final ObjectMapper JSON = CeleryJson.mapper();

    private static JsonNode unwrap(String json) {
        return KombuJson.unwrap(JSON.readTree(json));
    }

    private static String wrapped(String type, String valueJson) {
        return "{\"__type__\": \"" + type + "\", \"__value__\": " + valueJson + "}";
    }

    private static <T> T bind(String type, String valueJson, Class<T> to) {
        return JSON.treeToValue(unwrap(wrapped(type, valueJson)), to);
    }

    @Test
    void anAwareDatetimeBindsToOffsetDateTimeAndInstant() {
        String utc = "\"2026-11-25T08:00:21.724910+00:00\"";

        assertThat(unwrap(wrapped("datetime", utc)).stringValue()).isEqualTo("2026-11-25T08:00:21.724910+00:00");
        assertThat(bind("datetime", utc, OffsetDateTime.class)).isEqualTo(
                OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000, ZoneOffset.UTC));
        assertThat(bind("datetime", "\"2026-11-25T10:00:00+02:00\"", OffsetDateTime.class).getOffset())
                .as("the sender's offset is kept, as Python keeps tzinfo").isEqualTo(ZoneOffset.ofHours(2));
        assertThat(bind("datetime", "\"2026-11-25T10:00:00+02:00\"", ZonedDateTime.class).toInstant())
                .isEqualTo(Instant.parse("2026-11-25T08:00:00Z"));
        assertThat(bind("datetime", "\"2026-11-25T10:00:00+02:00\"", Instant.class))
                .isEqualTo(Instant.parse("2026-11-25T08:00:00Z"));
    }

    @Test
    void aNaiveDatetimeStaysNaiveAndBindsToLocalDateTime() {
        assertThat(bind("datetime", "\"2026-11-25T08:00:21.724910\"", LocalDateTime.class))
                .isEqualTo(LocalDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000));
        // fromisoformat also reads a space separator; java.time wants the 'T'.
        assertThat(unwrap(wrapped("datetime", "\"2026-11-25 08:00:21\"")).stringValue()).isEqualTo("2026-11-25T08:00:21");
    }

    @Test
    void aDateBindsToLocalDate() {
        assertThat(bind("date", "\"2026-11-25\"", LocalDate.class)).isEqualTo(LocalDate.of(2026, 11, 25));
        // kombu decodes with datetime.fromisoformat(o).date(): a date-time is read as its date.
        assertThat(unwrap(wrapped("date", "\"2026-11-25T23:59:00\"")).stringValue()).isEqualTo("2026-11-25");
    }

    @Test
    void aTimeBindsToLocalTimeOrOffsetTime() {
        assertThat(bind("time", "\"08:00:21.724910\"", LocalTime.class)).isEqualTo(LocalTime.of(8, 0, 21, 724_910_000));
        assertThat(bind("time", "\"08:00:00+01:00\"", OffsetTime.class))
                .isEqualTo(OffsetTime.of(8, 0, 0, 0, ZoneOffset.ofHours(1)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"hex\": \"6f76ca882c72414aaa406601bcb510c6\", \"version\": 4} | 6f76ca88-2c72-414a-aa40-6601bcb510c6",
        "{\"hex\": \"01965dfe77ac78e29f6951e5ce8bd080\", \"version\": 7} | 01965dfe-77ac-78e2-9f69-51e5ce8bd080",
        "{\"hex\": \"6F76CA882C72414AAA406601BCB510C6\"} | 6f76ca88-2c72-414a-aa40-6601bcb510c6",
        "{\"hex\": \"urn:uuid:6f76ca88-2c72-414a-aa40-6601bcb510c6\", \"version\": null} | 6f76ca88-2c72-414a-aa40-6601bcb510c6"})
    void aUuidOfAnyVersionBindsToUuid(String value, String canonical) {
        assertThat(unwrap(wrapped("uuid", value)).stringValue()).isEqualTo(canonical);
        assertThat(bind("uuid", value, UUID.class)).isEqualTo(UUID.fromString(canonical));
    }

    @Test
    void aDecimalIsExactAndKeepsItsScale() {
        JsonNode d = unwrap(wrapped("decimal", "\"12.50\""));

        assertThat(d.isBigDecimal()).isTrue();
        assertThat(d.decimalValue()).isEqualByComparingTo("12.50");
        assertThat(bind("decimal", "\"3314132.13363235235324234123213213214134\"", BigDecimal.class))
                .isEqualTo(new BigDecimal("3314132.13363235235324234123213213214134"));
        assertThat(bind("decimal", "\"-1E-7\"", BigDecimal.class)).isEqualByComparingTo("-0.0000001");
        assertThat(bind("decimal", "\"12.50\"", double.class)).isEqualTo(12.5);
    }

    @Test
    void decimalNanAndInfinitiesBecomeFloats() {
        assertThat(unwrap(wrapped("decimal", "\"NaN\"")).doubleValue()).isNaN();
        assertThat(unwrap(wrapped("decimal", "\"sNaN\"")).doubleValue()).isNaN();
        assertThat(unwrap(wrapped("decimal", "\"Infinity\"")).doubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(unwrap(wrapped("decimal", "\"-Infinity\"")).doubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void bytesAndBase64BindToByteArrays() {
        assertThat(bind("bytes", "\"hello\"", byte[].class)).isEqualTo("hello".getBytes());
        assertThat(bind("bytes", "\"h\\u00e9\"", byte[].class)).isEqualTo(new byte[] {'h', (byte) 0xc3, (byte) 0xa9});
        assertThat(bind("base64", "\"/wAB\"", byte[].class)).isEqualTo(new byte[] {(byte) 0xff, 0, 1});
        assertThat(unwrap(wrapped("base64", "\"/wAB\"")).isBinary()).isTrue();
    }

    @Test
    void wrappersAreFoundAtAnyDepth() {
        JsonNode out = unwrap("[[{\"at\": " + wrapped("date", "\"2026-01-02\"") + ", \"n\": 1}], {\"k\": ["
                + wrapped("decimal", "\"1.5\"") + "]}]");

        assertThat(out.toString()).isEqualTo("[[{\"at\":\"2026-01-02\",\"n\":1}],{\"k\":[1.5]}]");
    }

    @Test
    void onlyAnObjectWithExactlyTheTwoKeysIsAWrapper() {
        String lookalikes = "{\"three\": {\"__type__\": \"note\", \"__value__\": 1, \"text\": \"x\"},"
                + " \"one\": {\"__type__\": \"datetime\"}, \"other\": {\"__value__\": 1, \"type\": \"datetime\"}}";

        assertThat(unwrap(lookalikes)).isEqualTo(JSON.readTree(lookalikes));
    }

    @Test
    void aTreeWithoutWrappersIsReturnedAsIs() {
        JsonNode plain = JSON.readTree("[1, \"a\", {\"b\": [null, 2.5]}]");

        assertThat(KombuJson.unwrap(plain)).isSameAs(plain);
    }

    // --- malformed wrappers: kombu's object_hook raises ValueError, so the message is refused ---

    @Test
    void anUnknownTypeIsRefusedAsKombuDoes() {
        assertThatThrownBy(() -> unwrap("[" + wrapped("timedelta", "\"P1D\"") + "]"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("unsupported kombu JSON type 'timedelta'")
                .hasMessageContaining("{\"__type__\":\"timedelta\",\"__value__\":\"P1D\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"__type__\": 42, \"__value__\": \"x\"}",
        "{\"__type__\": \"datetime\", \"__value__\": \"tomorrow\"}",
        "{\"__type__\": \"datetime\", \"__value__\": \"2026-11-25\"}",
        "{\"__type__\": \"datetime\", \"__value__\": \"2026-13-25T00:00:00\"}",
        "{\"__type__\": \"datetime\", \"__value__\": 1764057621}",
        "{\"__type__\": \"date\", \"__value__\": \"25/11/2026\"}",
        "{\"__type__\": \"time\", \"__value__\": \"25:00\"}",
        "{\"__type__\": \"uuid\", \"__value__\": \"6f76ca88-2c72-414a-aa40-6601bcb510c6\"}",
        "{\"__type__\": \"uuid\", \"__value__\": {\"hex\": \"6f76ca88\"}}",
        "{\"__type__\": \"uuid\", \"__value__\": {\"hex\": \"zz76ca882c72414aaa406601bcb510c6\"}}",
        "{\"__type__\": \"decimal\", \"__value__\": \"twelve\"}",
        "{\"__type__\": \"decimal\", \"__value__\": 12.5}",
        "{\"__type__\": \"bytes\", \"__value__\": [104, 105]}",
        "{\"__type__\": \"base64\", \"__value__\": \"/wA\"}"})
    void aValueItsTypeCannotReadIsRefusedWithTheReason(String wrapper) {
        assertThatThrownBy(() -> unwrap("{\"k\": " + wrapper + "}"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageStartingWith("bad kombu JSON value {\"__type__\":");
    }
}
