package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

class RemoteErrorTests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void describesAJavaExceptionLikeCeleryDescribesAPythonOne() {
        RemoteError error = RemoteError.of(new IllegalStateException("no more"), "trace");

        assertThat(error.type()).isEqualTo("IllegalStateException");
        assertThat(error.module()).isEqualTo("java.lang");
        assertThat(error.arguments()).containsExactly(NODES.stringNode("no more"));
        assertThat(error.message()).isEqualTo("no more");
        assertThat(error.toJson().toString())
                .isEqualTo("{\"exc_type\":\"IllegalStateException\",\"exc_message\":[\"no more\"],\"exc_module\":\"java.lang\"}");
    }

    @Test
    void anExceptionWithoutAMessageHasNoArguments() {
        RemoteError error = RemoteError.of(new NullPointerException(), null);

        assertThat(error.arguments()).isEmpty();
        assertThat(error.message()).isEmpty();
    }

    @Test
    void theMessageIsWhatPythonsStrShows() {
        assertThat(new RemoteError("E", null, List.of(NODES.numberNode(42)), null).message()).isEqualTo("42");
        assertThat(new RemoteError("E", null, List.of(NODES.nullNode()), null).message()).isEqualTo("None");
        assertThat(new RemoteError("E", null, List.of(CeleryJson.mapper().readTree("[1, \"a\"]")), null).message())
                .isEqualTo("[1, 'a']");
        assertThat(new RemoteError("E", null, List.of(NODES.stringNode("a"), NODES.booleanNode(true)), null).message())
                .isEqualTo("('a', True)");
    }

    @Test
    void readsOlderFormsOfExcMessage() {
        var plain = CeleryJson.mapper().readTree("{\"exc_type\": \"KeyError\", \"exc_message\": \"'k'\"}");
        var none = CeleryJson.mapper().readTree("{\"exc_message\": null}");

        assertThat(RemoteError.fromJson(plain, null).message()).isEqualTo("'k'");
        assertThat(RemoteError.fromJson(plain, null).module()).isNull();
        assertThat(RemoteError.fromJson(none, null).type()).isEqualTo("Exception");
        assertThat(RemoteError.fromJson(none, null).arguments()).isEmpty();
    }
}
