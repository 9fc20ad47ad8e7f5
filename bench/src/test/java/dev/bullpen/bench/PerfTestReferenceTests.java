package dev.bullpen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TaskMessageCodec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
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
        List<String> headers = properties().keySet().stream().filter(n -> !AMQP_PROPERTIES.contains(n)).toList();

        assertThat(headers).containsExactlyInAnyOrderElementsOf(codec.headers(demoAdd.headers()).keySet());
    }

    @Test
    void carriesTheMessagePropertiesTheCodecSets() {
        var sent = codec.properties(demoAdd);
        Map<String, String> reference = properties();

        assertThat(reference.get("contentType")).isEqualTo(sent.getContentType());
        assertThat(reference.get("contentEncoding")).isEqualTo(sent.getContentEncoding());
        assertThat(reference.get("correlationId")).hasSameSizeAs(sent.getCorrelationId());
        // replyTo stays, as a Celery client always sets it (the drain's backlog), though Bullpen's client does not.
        assertThat(reference.containsKey("priority")).isEqualTo(sent.getPriority() != null);
    }

    @Test
    void hasADemoAddsBodySize() {
        assertThat(codec.body(demoAdd).length).isBetween(PerfTestReference.DEMO_ADD_BODY - 15,
                PerfTestReference.DEMO_ADD_BODY + 15);
    }

    private static Map<String, String> properties() {
        return Arrays.stream(PerfTestReference.CELERY_PROPERTIES.split(","))
                .collect(Collectors.toMap(kv -> kv.substring(0, kv.indexOf('=')), kv -> kv.substring(kv.indexOf('=') + 1)));
    }
}
