package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.test.Captures;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Result values a Celery 5.3+ worker stores, with kombu's typed JSON values in them (hand-written fixtures). */
class Celery53ResultsTests {

    @Test
    void aWrappedDatetimeResultReadsAsItsIsoText() {
        TaskResult r = ResultCodec.decode("9e1c0a7b-5d1e-4a53-8f0e-6b2a4c9d1e01", Captures.result53("success_datetime_5_4"));

        assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(CeleryJson.mapper().treeToValue(r.result(), OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 21, 724_910_000, ZoneOffset.UTC));
        assertThat(r.dateDone()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 22, 151_514_000, ZoneOffset.UTC));
    }

    @Test
    void wrappedValuesInsideAResultAreRead() {
        TaskResult r = ResultCodec.decode("9e1c0a7b-5d1e-4a53-8f0e-6b2a4c9d1e02", Captures.result53("success_typed_5_5"));
        JsonNode result = r.result();

        assertThat(CeleryJson.mapper().treeToValue(result.get("when"), LocalDate.class)).isEqualTo(LocalDate.of(2026, 11, 25));
        assertThat(CeleryJson.mapper().treeToValue(result.get("id"), UUID.class))
                .isEqualTo(UUID.fromString("6f76ca88-2c72-414a-aa40-6601bcb510c6"));
        assertThat(result.get("amount").decimalValue()).isEqualTo(new BigDecimal("12.50"));
        assertThat(CeleryJson.mapper().treeToValue(result.get("blob"), byte[].class)).isEqualTo(new byte[] {(byte) 0xff, 0, 1});
        assertThat(r.dateDone()).isEqualTo(OffsetDateTime.of(2026, 11, 25, 8, 0, 22, 151_514_000, ZoneOffset.UTC));
    }

    @Test
    void aWrapperOfAnUnknownTypeIsKeptRatherThanFailingTheReader() {
        TaskResult r = ResultCodec.decode("9e1c0a7b-5d1e-4a53-8f0e-6b2a4c9d1e03", Captures.result53("success_unknown_type"));

        assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(r.result().toString()).isEqualTo("{\"__type__\":\"frozenset\",\"__value__\":[1,2]}");
    }
}
