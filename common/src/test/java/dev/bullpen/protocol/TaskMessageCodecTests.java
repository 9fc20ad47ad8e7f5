package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.bullpen.test.Captures;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Decodes the real Celery 5.2 captures and encodes them back to the same bytes. */
class TaskMessageCodecTests {

    private final TaskMessageCodec codec = new TaskMessageCodec();

    static Stream<Captures.Message> captured() {
        return Captures.messages().stream();
    }

    private static Captures.Message capture(String name) {
        return Captures.messages().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    private TaskMessage decode(Captures.Message m) {
        return codec.decode(m.amqpProperties(), m.bodyBytes());
    }

    @Test
    void allElevenCapturesAreThere() {
        assertThat(Captures.messages()).hasSize(11);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void decodesTheHeadersOfEveryCapture(Captures.Message m) {
        TaskMessage decoded = decode(m);
        JsonNode h = m.headers();

        assertThat(decoded.task()).isEqualTo(h.get("task").stringValue());
        assertThat(decoded.id()).isEqualTo(h.get("id").stringValue());
        TaskHeaders headers = decoded.headers();
        assertThat(headers.lang()).isEqualTo("py");
        assertThat(headers.rootId()).isEqualTo(h.get("root_id").stringValue());
        assertThat(headers.parentId()).isNull();
        assertThat(headers.retries()).isZero();
        assertThat(headers.argsrepr()).isEqualTo(h.get("argsrepr").stringValue());
        assertThat(headers.kwargsrepr()).isEqualTo(h.get("kwargsrepr").stringValue());
        assertThat(headers.origin()).isEqualTo("gen24907@vm");
        assertThat(headers.ignoreResult()).isFalse();
        assertThat(headers.extra()).isEmpty();
        assertThat(decoded.properties().correlationId()).isEqualTo(decoded.id());
        assertThat(decoded.properties().contentType()).isEqualTo("application/json");
        assertThat(decoded.properties().contentEncoding()).isEqualTo("utf-8");
        assertThat(decoded.properties().deliveryMode()).isEqualTo(2);
        assertThat(decoded.properties().replyTo()).isEqualTo("a4e0aa67-486b-3fb9-a32f-8bd04db25f15");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void reEncodesTheBodyByteForByte(Captures.Message m) {
        byte[] body = codec.body(decode(m));

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(m.body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void reEncodesTheHeadersAsCeleryWroteThem(Captures.Message m) {
        Map<String, @Nullable Object> headers = codec.headers(decode(m).headers());

        // Same names in the same order, and the same values once both are seen as JSON (Integer vs Long, lists).
        assertThat(headers.keySet()).containsExactlyElementsOf(fieldNames(m.headers()));
        assertThat(tree(headers)).isEqualTo(m.headers());
        // Types as py-amqp writes them: null stays (AMQP void), timelimit is a list.
        assertThat(headers.get("timelimit")).isInstanceOf(List.class);
        assertThat(headers).containsEntry("shadow", null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void reEncodesTheProperties(Captures.Message m) {
        TaskMessage decoded = decode(m);
        AMQP.BasicProperties props = codec.properties(decoded);
        AMQP.BasicProperties original = m.amqpProperties();

        assertThat(props.getContentType()).isEqualTo(original.getContentType());
        assertThat(props.getContentEncoding()).isEqualTo(original.getContentEncoding());
        assertThat(props.getDeliveryMode()).isEqualTo(original.getDeliveryMode());
        assertThat(props.getPriority()).isEqualTo(original.getPriority());
        assertThat(props.getCorrelationId()).isEqualTo(original.getCorrelationId());
        assertThat(props.getReplyTo()).isEqualTo(original.getReplyTo());
        assertThat(props.getExpiration()).isEqualTo(original.getExpiration());
        assertThat(tree(props.getHeaders())).isEqualTo(m.headers());
    }

    @Test
    void plainArgs() {
        TaskMessage m = decode(capture("args"));

        assertThat(m.task()).isEqualTo("proj.add");
        assertThat(m.args().toString()).isEqualTo("[2,3]");
        assertThat(m.kwargs().isEmpty()).isTrue();
        assertThat(m.embed()).isEqualTo(Embed.NONE);
        assertThat(m.headers().eta()).isNull();
        assertThat(m.headers().expires()).isNull();
        assertThat(m.headers().timeLimit()).isEqualTo(TimeLimit.NONE);
        assertThat(m.headers().group()).isNull();
        assertThat(m.headers().groupIndex()).isNull();
        assertThat(m.properties().priority()).isZero();
        assertThat(m.properties().expiration()).isNull();
    }

    @Test
    void kwargs() {
        TaskMessage m = decode(capture("kwargs"));

        assertThat(m.args().isEmpty()).isTrue();
        assertThat(m.kwargs().get("x").intValue()).isEqualTo(2);
        assertThat(m.kwargs().get("y").intValue()).isEqualTo(40);
        assertThat(m.headers().kwargsrepr()).isEqualTo("{'x': 2, 'y': 40}");
    }

    @Test
    void etaAndExpiresAreParsedWithTheirOffset() {
        TaskMessage m = decode(capture("countdown_expires_priority"));

        assertThat(m.headers().eta()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000, ZoneOffset.UTC));
        assertThat(m.headers().expires()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 1, 51, 724_910_000, ZoneOffset.UTC));
        assertThat(m.properties().priority()).isEqualTo(7);
        assertThat(m.properties().expiration()).isEqualTo("120000");
    }

    @Test
    void timeLimitIsHardThenSoft() {
        TaskMessage m = decode(capture("timelimit_hard20_soft10"));

        assertThat(m.headers().timeLimit().hard()).isEqualTo(20.0);
        assertThat(m.headers().timeLimit().soft()).isEqualTo(10.0);
        assertThat(codec.headers(m.headers()).get("timelimit")).isEqualTo(List.of(20, 10));
    }

    @Test
    void linkAndLinkError() {
        Embed embed = decode(capture("link_and_link_error")).embed();

        assertThat(embed.callbacks()).singleElement().satisfies(s -> {
            assertThat(s.task()).isEqualTo("proj.add");
            assertThat(s.args().toString()).isEqualTo("[10]");
            assertThat(s.immutable()).isFalse();
            assertThat(s.subtaskType()).isNull();
        });
        assertThat(embed.errbacks()).singleElement().satisfies(s -> {
            assertThat(s.task()).isEqualTo("proj.on_error");
            assertThat(s.immutable()).isTrue();
        });
        assertThat(embed.chain()).isNull();
        assertThat(embed.chord()).isNull();
    }

    @Test
    void chainIsKeptReversed() {
        Embed embed = decode(capture("chain_of_3")).embed();

        // add(2,2) | add(4) | add(8): the next task to run is the *last* element.
        assertThat(embed.chain()).extracting(s -> s.args().get(0).intValue()).containsExactly(8, 4);
        assertThat(embed.chain()).extracting(s -> s.options().get("task_id").stringValue())
                .containsExactly("9d55b74f-08d1-4781-9752-7086aa354d66", "78d849cd-196c-41af-a6a8-7678899c7e17");
        assertThat(embed.callbacks()).isNull();
        assertThat(embed.errbacks()).isNull();
    }

    @Test
    void groupMembersShareTheGroupId() {
        List<TaskMessage> group = Captures.messages().stream().filter(m -> m.name().equals("group_of_3"))
                .map(this::decode).toList();

        assertThat(group).hasSize(3);
        assertThat(group).extracting(m -> m.headers().group()).containsOnly("6c09f33c-605c-4ae4-99d7-6d9decc6b7c4");
        assertThat(group).extracting(m -> m.headers().groupIndex()).containsOnlyNulls();
        assertThat(group).extracting(m -> m.args().toString()).containsExactly("[0,0]", "[1,1]", "[2,2]");
    }

    @Test
    void chordHeadersCarryGroupIndexAndTheBody() {
        List<TaskMessage> header = Captures.messages().stream().filter(m -> m.name().equals("chord_2_then_total"))
                .map(this::decode).toList();

        assertThat(header).extracting(m -> m.headers().group()).containsOnly("0dd4f5ec-0b20-49dc-b81b-916ff9f928ba");
        assertThat(header).extracting(m -> m.headers().groupIndex()).containsExactly(0, 1);
        assertThat(header).allSatisfy(m -> {
            Signature chord = m.embed().chord();
            assertThat(chord).isNotNull();
            assertThat(chord.task()).isEqualTo("proj.total");
            assertThat(chord.options().get("task_id").stringValue()).isEqualTo("e4a6b204-0fe0-4f6e-9ba7-a46230220998");
        });
    }

    @Test
    void unknownHeadersSurviveARoundTrip() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("x-custom", LongStringHelper.asLongString("yes"));
        raw.put("stamped_headers", null);
        raw.put("replaced_task_nesting", 0);

        TaskMessage m = codec.decode(raw, DeliveryProperties.defaults("89fe2cf8-eff1-480a-8f63-4f01652c1946"),
                capture("args").bodyBytes());

        assertThat(m.headers().extra()).containsEntry("x-custom", "yes").containsEntry("stamped_headers", null)
                .containsEntry("replaced_task_nesting", 0);
        assertThat(codec.headers(m.headers())).containsEntry("x-custom", "yes").containsEntry("stamped_headers", null);
    }

    @Test
    void headersMayComeAsLongsAndTimeLimitAsFractions() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("retries", 3L);
        raw.put("timelimit", Arrays.asList(1.5, null));

        TaskMessage m = codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes());

        assertThat(m.headers().retries()).isEqualTo(3);
        assertThat(m.headers().timeLimit()).isEqualTo(new TimeLimit(1.5, null));
        assertThat(codec.headers(m.headers()).get("timelimit")).isEqualTo(Arrays.asList(1.5, null));
    }

    @Test
    void aNullEmbedMeansNothingRunsAfter() {
        TaskMessage m = codec.decode(capture("args").amqpHeaders(), DeliveryProperties.defaults("x"),
                "[[1], {}, null]".getBytes(StandardCharsets.UTF_8));

        assertThat(m.embed()).isEqualTo(Embed.NONE);
    }

    @Test
    void theIdFallsBackToTheCorrelationId() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.remove("id");

        TaskMessage m = codec.decode(raw, DeliveryProperties.defaults("from-correlation"), capture("args").bodyBytes());

        assertThat(m.id()).isEqualTo("from-correlation");
    }

    // --- integers past 32 bits, as py-amqp sends Python's ---

    @Test
    void aRetriesCountPast32BitsIsKeptAsTheLargestIntNotWrappedToASmallOne() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("retries", 1L << 62);
        raw.put("tenant_id", 5_000_000_000L);

        TaskMessage m = codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes());

        assertThat(m.headers().retries()).isEqualTo(Integer.MAX_VALUE);
        assertThat(m.headers().extra()).containsEntry("tenant_id", 5_000_000_000L);
    }

    @Test
    void aGroupIndexPast32BitsIsMalformed() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("group_index", 1L << 40);

        assertThatThrownBy(() -> codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("'group_index' is out of range");
    }

    @Test
    void aCompressedBodyInflatesNoFurtherThanTheCodecsLimit() throws Exception {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("compression", "application/x-gzip");
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.DeflaterOutputStream(zipped)) {
            out.write(("[[\"" + "a".repeat(100_000) + "\"], {}, {}]").getBytes(StandardCharsets.UTF_8));
        }

        assertThatThrownBy(() -> new TaskMessageCodec(65_536).decode(raw, DeliveryProperties.defaults("x"), zipped.toByteArray()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("inflates past 65536 bytes");
        assertThat(new TaskMessageCodec(200_000).decode(raw, DeliveryProperties.defaults("x"), zipped.toByteArray())
                .args().get(0).asString()).hasSize(100_000);
    }

    // --- malformed messages ---

    @Test
    void rejectsAMessageWithoutATaskHeader() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.remove("task");

        assertThatThrownBy(() -> codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("'task' header");
    }

    @Test
    void rejectsAMessageWithNoHeadersAtAll() {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").build();

        assertThatThrownBy(() -> codec.decode(props, "[[], {}, {}]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("'task' header");
    }

    @Test
    void rejectsABodyThatIsNotJson() {
        assertThatThrownBy(() -> decodeBody("[[2, 3], {}, {\"callbacks\": nul"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("not JSON");
    }

    @Test
    void rejectsABodyThatIsNotAThreeElementArray() {
        assertThatThrownBy(() -> decodeBody("[[2, 3], {}]"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("[args, kwargs, embed]")
                .hasMessageContaining("[[2,3],{}]");
        assertThatThrownBy(() -> decodeBody("{\"args\": [2, 3]}"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("[args, kwargs, embed]");
        assertThatThrownBy(() -> decodeBody("[{}, [], null]"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("[args, kwargs, embed]");
        assertThatThrownBy(() -> decodeBody("[[], {}, 42]"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("embed");
    }

    @Test
    void rejectsASignatureWithoutATaskName() {
        assertThatThrownBy(() -> decodeBody("[[], {}, {\"callbacks\": [{\"args\": []}]}]"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("signature");
    }

    @Test
    void rejectsAnotherContentType() {
        Captures.Message m = capture("args");
        AMQP.BasicProperties pickle = m.amqpProperties().builder().contentType("application/x-python-serialize").build();

        assertThatThrownBy(() -> codec.decode(pickle, m.bodyBytes()))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("application/x-python-serialize").hasMessageContaining("application/json");
    }

    @Test
    void rejectsABodyMarkedCompressedThatIsNot() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("compression", LongStringHelper.asLongString("application/x-gzip"));

        assertThatThrownBy(() -> codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("application/x-gzip")
                .hasMessageContaining("does not inflate");
    }

    @Test
    void rejectsABadEta() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("eta", LongStringHelper.asLongString("tomorrow at noon"));

        assertThatThrownBy(() -> codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("tomorrow at noon");
    }

    @Test
    void rejectsABadTimeLimit() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("timelimit", List.of(LongStringHelper.asLongString("ten"), 5));

        assertThatThrownBy(() -> codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("ten");
        raw.put("timelimit", List.of(5));
        assertThatThrownBy(() -> codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("timelimit");
    }

    @Test
    void rejectsAHeaderOfTheWrongType() {
        Map<String, @Nullable Object> raw = capture("args").amqpHeaders();
        raw.put("retries", LongStringHelper.asLongString("three"));

        assertThatThrownBy(() -> codec.decode(raw, DeliveryProperties.defaults("x"), capture("args").bodyBytes()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("retries");
    }

    // --- building new messages ---

    @Test
    void aBuiltMessageLooksLikeACeleryOne() {
        TaskMessage built = TaskMessageBuilder.of("proj.add", "89fe2cf8-eff1-480a-8f63-4f01652c1946")
                .args(CeleryJson.mapper().createArrayNode().add(2).add(3))
                .build();
        Captures.Message celery = capture("args");

        assertThat(new String(codec.body(built), StandardCharsets.UTF_8)).isEqualTo(celery.body());
        Map<String, @Nullable Object> headers = codec.headers(built.headers());
        Map<String, @Nullable Object> expected = new HashMap<>(CeleryJson.mapper().convertValue(celery.headers(), Map.class));
        expected.put("origin", headers.get("origin"));
        assertThat(tree(headers)).isEqualTo(tree(expected));
        assertThat(new ArrayList<>(headers.keySet())).containsExactlyElementsOf(fieldNames(celery.headers()));
        assertThat((String) headers.get("origin")).matches("gen\\d+@.+");
    }

    @Test
    void expiresStaysAHeaderAndNeverBecomesABrokerTtl() {
        // An expired task must reach a worker to be marked REVOKED rather than vanish while PENDING.
        TaskMessage built = TaskMessageBuilder.of("proj.add", "id-1")
                .expires(OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(2)).build();

        assertThat(built.headers().expires()).isNotNull();
        assertThat(built.properties().expiration()).isNull();
    }

    @Test
    void aBuiltMessageRoundTrips() {
        var mapper = CeleryJson.mapper();
        Signature next = Signature.of("proj.next");
        TaskMessage built = TaskMessageBuilder.of("proj.x", "id-2")
                .args(mapper.createArrayNode().add("a").add(1.5))
                .kwargs(mapper.createObjectNode().put("k", true))
                .eta(OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)))
                .group("g", 4)
                .retries(2)
                .timeLimit(new TimeLimit(30.0, 20.0))
                .priority(5)
                .embed(new Embed(List.of(next), null, List.of(next, next), next))
                .header("x-tenant", "acme")
                .build();

        AMQP.BasicProperties props = codec.properties(built);
        Map<String, Object> wireHeaders = new HashMap<>();
        props.getHeaders().forEach((k, v) -> wireHeaders.put(k, v instanceof String s ? LongStringHelper.asLongString(s) : v));
        TaskMessage decoded = codec.decode(props.builder().headers(wireHeaders).build(), codec.body(built));

        assertThat(decoded.headers()).isEqualTo(built.headers());
        assertThat(decoded.args()).isEqualTo(built.args());
        assertThat(decoded.kwargs()).isEqualTo(built.kwargs());
        assertThat(decoded.embed()).isEqualTo(built.embed());
        assertThat(decoded.properties()).isEqualTo(built.properties());
        assertThat(codec.headers(decoded.headers()).get("eta")).isEqualTo("2026-01-02T03:04:05+02:00");
    }

    private TaskMessage decodeBody(String body) {
        return codec.decode(capture("args").amqpHeaders(), DeliveryProperties.defaults("x"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode tree(Object value) {
        return CeleryJson.mapper().valueToTree(value);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
