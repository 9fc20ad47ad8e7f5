package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.bullpen.test.Captures;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RabbitMQ client hands every AMQP long string ({@code S}, up to 4 GiB) over as a
 * {@link LongString}, whatever its length, and Bullpen's worker reads deliveries straight from it
 * (no Spring AMQP {@code longStringLimit} on the way). Nothing is cut, in either direction.
 */
class LongHeadersTests {

    private final TaskMessageCodec codec = new TaskMessageCodec();

    @ParameterizedTest
    @ValueSource(ints = {1025, 64 * 1024 + 1, 1024 * 1024})
    void longArgsreprKwargsreprTaskNamesAndIdsDecodeWhole(int length) {
        Captures.Message m = Captures.messages().getFirst();
        Map<String, @Nullable Object> headers = m.amqpHeaders();
        String argsrepr = "(" + "'a'".repeat(length / 3) + ")";
        String name = "proj." + "n".repeat(length);
        String id = "i".repeat(length);
        headers.put("argsrepr", LongStringHelper.asLongString(argsrepr));
        headers.put("kwargsrepr", LongStringHelper.asLongString("{'k': '" + "v".repeat(length) + "'}"));
        headers.put("task", LongStringHelper.asLongString(name));
        headers.put("id", LongStringHelper.asLongString(id));
        headers.put("x-note", LongStringHelper.asLongString("z".repeat(length)));

        TaskMessage decoded = codec.decode(headers, DeliveryProperties.defaults("x"), m.bodyBytes());

        assertThat(decoded.headers().argsrepr()).isEqualTo(argsrepr);
        assertThat(decoded.headers().kwargsrepr()).hasSize(length + 9);
        assertThat(decoded.task()).isEqualTo(name);
        assertThat(decoded.id()).isEqualTo(id);
        assertThat(decoded.headers().extra().get("x-note")).isEqualTo("z".repeat(length));
    }

    @ParameterizedTest
    @ValueSource(ints = {64 * 1024 + 1, 1024 * 1024})
    void bullpenWritesLongHeaderValuesWhole(int length) {
        TaskMessage message = TaskMessageBuilder.of("proj." + "n".repeat(length), "id-1")
                .args(CeleryJson.mapper().createArrayNode().add("x".repeat(length)))
                .header("x-note", "z".repeat(length))
                .build();

        AMQP.BasicProperties props = codec.properties(message);
        Map<String, Object> wire = new HashMap<>();
        props.getHeaders().forEach((k, v) -> wire.put(k, v instanceof String s ? LongStringHelper.asLongString(s) : v));
        TaskMessage back = codec.decode(props.builder().headers(wire).build(), codec.body(message));

        assertThat(back.task()).hasSize(length + 5);
        assertThat(back.headers().extra().get("x-note").toString()).hasSize(length);
        assertThat(back.args().get(0).stringValue()).hasSize(length);
        // argsrepr alone is cut, on purpose, where Celery cuts it (argsrepr_maxsize = 1024).
        assertThat(back.headers().argsrepr()).hasSizeLessThan(PythonRepr.MAX_LENGTH + 16);
    }
}
