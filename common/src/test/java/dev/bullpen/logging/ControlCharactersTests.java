package dev.bullpen.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharactersTests {

    @Test
    void lineBreaksEscapesAndBidiOverridesAreControlCharacters() {
        for (String text : new String[] {"a\nb", "a\rb", "a\tb", "a\u0000b", "a\u001b[2Jb", "a\u007fb", "a\u0085b",
                "a\u2028b", "a\u2029b", "a\u202eb", "a\u2066b"}) {
            assertThat(ControlCharacters.indexOf(text)).as(text).isEqualTo(1);
        }
        assertThat(ControlCharacters.indexOf("demo.add émoji ✓ 名前")).isEqualTo(-1);
    }

    @Test
    void escapingKeepsALineOnOneLineAndReadable() {
        assertThat(ControlCharacters.escape("task demo.add\nERROR forged\r\t\u001b[31m\u2028"))
                .isEqualTo("task demo.add\\nERROR forged\\r\\t\\u001b[31m\\u2028");
    }

    @Test
    void plainTextIsReturnedAsItIs() {
        String plain = "Task 7f3e published to celery";

        assertThat(ControlCharacters.escape(plain)).isSameAs(plain);
    }
}
