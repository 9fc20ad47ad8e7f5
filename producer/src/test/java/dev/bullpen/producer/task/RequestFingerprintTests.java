package dev.bullpen.producer.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestFingerprintTests {

    @Test
    void ignoresSpacingAndTheOrderOfFieldsAtEveryDepth() {
        assertThat(of("{\"task\": \"demo.echo\", \"kwargs\": {\"a\": 1, \"b\": {\"x\": [1, 2], \"y\": null}}}"))
                .isEqualTo(of("{\"kwargs\":{\"b\":{\"y\":null,\"x\":[1,2]},\"a\":1},\n  \"task\":\"demo.echo\"}"));
    }

    @Test
    void changesWithAnythingThatWouldBeSent() {
        String base = of("{\"task\": \"demo.add\", \"args\": [2, 3]}");
        assertThat(of("{\"task\": \"demo.add\", \"args\": [3, 2]}")).isNotEqualTo(base);
        assertThat(of("{\"task\": \"demo.add\", \"args\": [2, 3.0]}")).isNotEqualTo(base);
        assertThat(of("{\"task\": \"demo.add\", \"args\": [2, 3], \"queue\": \"celery\"}")).isNotEqualTo(base);
        assertThat(of("{\"task\": \"demo.sub\", \"args\": [2, 3]}")).isNotEqualTo(base);
        assertThat(base).matches("[0-9a-f]{64}");
    }

    private static String of(String json) {
        return RequestFingerprint.of(TaskRequestReader.readTree(json.getBytes(StandardCharsets.UTF_8)));
    }
}
