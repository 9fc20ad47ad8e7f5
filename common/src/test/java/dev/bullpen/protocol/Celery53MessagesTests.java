package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.impl.LongStringHelper;
import dev.bullpen.test.Captures;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Decodes the hand-written Celery 5.3+ / kombu 5.3+ messages in {@code captures/celery-5.3-messages.json}. */
class Celery53MessagesTests {

    private static final ObjectMapper JSON = CeleryJson.mapper();

    private final TaskMessageCodec codec = new TaskMessageCodec();

    static Stream<Captures.Message> messages() {
        return Captures.messages53().stream();
    }

    private TaskMessage decode(String name) {
        Captures.Message m = Captures.message53(name);
        return codec.decode(m.amqpProperties(), m.bodyBytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void everyMessageDecodesAndKeepsThe53Headers(Captures.Message m) {
        TaskMessage decoded = codec.decode(m.amqpProperties(), m.bodyBytes());

        assertThat(decoded.id()).isEqualTo(m.headers().get("id").stringValue());
        assertThat(decoded.headers().argsrepr()).isEqualTo(m.headers().get("argsrepr").stringValue());
        assertThat(decoded.headers().extra()).containsEntry("replaced_task_nesting", 0)
                .containsEntry("stamped_headers", null).containsEntry("stamps", Map.of())
                .doesNotContainKey("compression");
    }

    @Test
    void datetimesDatesAndTimesBindToJavaTime() {
        TaskMessage m = decode("datetimes");

        assertThat(JSON.treeToValue(m.args().get(0), OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000, ZoneOffset.UTC));
        assertThat(JSON.treeToValue(m.args().get(1), LocalDateTime.class))
                .isEqualTo(LocalDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000));
        assertThat(JSON.treeToValue(m.args().get(2), LocalDate.class)).isEqualTo(LocalDate.of(2026, 11, 25));
        assertThat(JSON.treeToValue(m.args().get(3), LocalTime.class)).isEqualTo(LocalTime.of(8, 0, 21, 724_910_000));
        assertThat(JSON.treeToValue(m.kwargs().get("deadline"), OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2026, 11, 25, 10, 0, 0, 0, ZoneOffset.ofHours(2)));
    }

    @Test
    void uuidsDecimalsAndBytesBindToTheirJavaTypes() {
        TaskMessage m = decode("uuid_decimal_bytes");

        assertThat(JSON.treeToValue(m.args().get(0), UUID.class)).isEqualTo(UUID.fromString("6f76ca88-2c72-414a-aa40-6601bcb510c6"));
        assertThat(m.args().get(1).decimalValue()).isEqualTo(new BigDecimal("12.50"));
        assertThat(JSON.treeToValue(m.args().get(2), byte[].class)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(JSON.treeToValue(m.args().get(3), byte[].class)).isEqualTo(new byte[] {(byte) 0xff, 0, 1});
        assertThat(JSON.treeToValue(m.kwargs().get("v7"), UUID.class)).isEqualTo(UUID.fromString("01965dfe-77ac-78e2-9f69-51e5ce8bd080"));
        assertThat(m.kwargs().get("rate").decimalValue()).isEqualByComparingTo("-0.0000001");
    }

    @Test
    void nestedWrappersAreReadAndLookalikesKept() {
        TaskMessage m = decode("nested_and_lookalikes");

        assertThat(m.args().toString()).isEqualTo("[[{\"at\":\"2026-01-02\",\"n\":1}]]");
        assertThat(m.kwargs().get("meta").toString())
                .isEqualTo("{\"__type__\":\"note\",\"text\":\"not a wrapper: three keys\",\"__value__\":1}");
        assertThat(m.kwargs().get("only_type").toString()).isEqualTo("{\"__type__\":\"datetime\"}");
    }

    @Test
    void embeddedSignaturesKeepTheirWrappersForTheWorkerThatRunsThem() {
        Captures.Message raw = Captures.message53("link_with_datetime");
        TaskMessage m = decode("link_with_datetime");

        assertThat(m.embed().callbacks()).singleElement().satisfies(s -> assertThat(s.args().toString())
                .isEqualTo("[{\"__type__\":\"datetime\",\"__value__\":\"2026-11-25T08:00:00+00:00\"}]"));
        assertThat(new String(codec.body(m), StandardCharsets.UTF_8)).isEqualTo(raw.body());
    }

    @Test
    void etaAndExpiresAreIsoformatText() {
        TaskMessage m = decode("countdown_expires");

        assertThat(m.headers().eta()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000, ZoneOffset.UTC));
        assertThat(m.headers().expires()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 1, 51, 724_910_000, ZoneOffset.UTC));
    }

    @Test
    void aZlibBodyIsInflated() {
        TaskMessage m = decode("compressed_zlib");

        assertThat(m.args().toString()).isEqualTo("[2,3]");
        assertThat(m.embed()).isEqualTo(Embed.NONE);
        // Re-encoded uncompressed, so the header must not travel on with it.
        assertThat(codec.headers(m.headers())).doesNotContainKey("compression");
    }

    @Test
    void aWrappedEtaTableIsReadToo() {
        Captures.Message m = Captures.message53("countdown_expires");
        Map<String, @Nullable Object> headers = m.amqpHeaders();
        headers.put("eta", Map.of("__type__", LongStringHelper.asLongString("datetime"),
                "__value__", LongStringHelper.asLongString("2026-11-25T08:00:21")));

        TaskMessage decoded = codec.decode(headers, DeliveryProperties.defaults("x"), m.bodyBytes());

        assertThat(decoded.headers().eta()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 0, ZoneOffset.UTC));
    }

    @Test
    void aBadWrapperInTheArgsRefusesTheMessageWithTheReason() {
        Captures.Message m = Captures.message53("countdown_expires");
        byte[] body = "[[{\"__type__\": \"complex\", \"__value__\": \"1+2j\"}], {}, null]".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> codec.decode(m.amqpHeaders(), DeliveryProperties.defaults("x"), body))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("unsupported kombu JSON type 'complex'");
    }

    @Test
    void plainArgsAreNotCopied() {
        Captures.Message m = Captures.messages().getFirst();
        JsonNode args = codec.decode(m.amqpProperties(), m.bodyBytes()).args();

        assertThat(KombuJson.unwrap(args)).isSameAs(args);
    }
}
