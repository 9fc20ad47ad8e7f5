package dev.bullpen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TaskMessageCodec;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The broker reference's "Celery-shaped" messages must stay shaped as the tasks Bullpen sends. */
class PerfTestReferenceTests {

    private static final Set<String> AMQP_PROPERTIES =
            Set.of("contentType", "contentEncoding", "correlationId", "replyTo", "priority");

    private final TaskMessageCodec codec = new TaskMessageCodec();
    private final TaskMessage demoAdd = TaskMessageBuilder.of("demo.add", UUID.randomUUID().toString())
            .args(CeleryJson.mapper().createArrayNode().add(1).add(2))
            .build();

    @Test
    void carriesEveryHeaderOfADemoAddAndNoOther() {
        List<String> headers = names().stream().filter(n -> !AMQP_PROPERTIES.contains(n)).toList();

        assertThat(headers).containsExactlyInAnyOrderElementsOf(codec.headers(demoAdd.headers()).keySet());
    }

    @Test
    void carriesTheMessagePropertiesTheCodecSets() {
        var properties = codec.properties(demoAdd);

        assertThat(names()).contains("contentType", "contentEncoding", "correlationId");
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getCorrelationId()).isNotNull();
    }

    @Test
    void hasADemoAddsBodySize() {
        assertThat(codec.body(demoAdd).length).isBetween(PerfTestReference.DEMO_ADD_BODY - 15,
                PerfTestReference.DEMO_ADD_BODY + 15);
    }

    private static List<String> names() {
        return Arrays.stream(PerfTestReference.CELERY_PROPERTIES.split(",")).map(kv -> kv.substring(0, kv.indexOf('=')))
                .toList();
    }
}
