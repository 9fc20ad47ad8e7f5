package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** CeleryJson writes what Python's json.dumps writes with its defaults. */
class CeleryJsonTests {

    private static String write(Object value) {
        return new String(CeleryJson.writer().writeValueAsBytes(value), StandardCharsets.UTF_8);
    }

    private static String rewrite(String json) {
        return write(CeleryJson.mapper().readTree(json));
    }

    @Test
    void usesPythonsSeparators() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("a", List.of(1, 2));
        value.put("b", Map.of());
        value.put("c", List.of());
        value.put("d", null);
        value.put("e", true);

        assertThat(write(value)).isEqualTo("{\"a\": [1, 2], \"b\": {}, \"c\": [], \"d\": null, \"e\": true}");
    }

    @Test
    void isOneLineWithNothingAround() {
        assertThat(rewrite("  [ [ 2 ,3 ] , { } ,\n{\"x\":null} ]  ")).isEqualTo("[[2, 3], {}, {\"x\": null}]");
        assertThat(write(5)).isEqualTo("5");
        assertThat(write("s")).isEqualTo("\"s\"");
    }

    @Test
    void escapesNonAsciiLikeEnsureAscii() {
        // Lowercase hex, and characters outside the BMP as a surrogate pair, as Python does.
        assertThat(write("\u00e9")).isEqualTo("\"\\u00e9\"");
        assertThat(write("\u2603 \u2028")).isEqualTo("\"\\u2603 \\u2028\"");
        assertThat(write("\ud83d\ude00")).isEqualTo("\"\\ud83d\\ude00\"");
        assertThat(write(Map.of("cl\u00e9", "v"))).isEqualTo("{\"cl\\u00e9\": \"v\"}");
    }

    @Test
    void escapesControlCharactersLikePython() {
        assertThat(write("a\nb\tc\rd\be\ff\"g\\h/i")).isEqualTo("\"a\\nb\\tc\\rd\\be\\ff\\\"g\\\\h/i\"");
        // ensure_ascii escapes everything outside ' '..'~', DEL included.
        assertThat(write("\u0000\u001f\u007f")).isEqualTo("\"\\u0000\\u001f\\u007f\"");
    }

    @Test
    void writesFloatsAsPythonDoes() {
        assertThat(rewrite("[1.0, 1e16, 1e15, 1e7, 1e-5, 0.0001, 5e-324, -0.0, 0.1]"))
                .isEqualTo("[1.0, 1e+16, 1000000000000000.0, 10000000.0, 1e-05, 0.0001, 5e-324, -0.0, 0.1]");
        assertThat(write(List.of(1.5, 0.1f, 10_000_000.0))).isEqualTo("[1.5, 0.1, 10000000.0]");
        // json.dumps' allow_nan default: bare JavaScript names, which json.loads reads back.
        assertThat(write(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)))
                .isEqualTo("[NaN, Infinity, -Infinity]");
    }

    @Test
    void writesBigIntegersInFull() {
        assertThat(rewrite("[18446744073709551617, -9223372036854775808]"))
                .isEqualTo("[18446744073709551617, -9223372036854775808]");
    }

    @Test
    void keepsKeyOrder() {
        assertThat(rewrite("{\"z\": 1, \"a\": 2, \"m\": 3}")).isEqualTo("{\"z\": 1, \"a\": 2, \"m\": 3}");
    }

    @Test
    void theMapperReadsWhatPythonWrites() {
        JsonNode node = CeleryJson.mapper().readTree("{\"x\": \"\\u00e9\", \"f\": 1e+16}");

        assertThat(node.get("x").stringValue()).isEqualTo("\u00e9");
        assertThat(node.get("f").doubleValue()).isEqualTo(1e16);
    }

    static Stream<PythonCases> celeryCases() {
        return PythonCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("celeryCases")
    void matchesJsonDumps(PythonCases c) {
        assertThat(rewrite(c.json())).isEqualTo(c.json());
    }
}
