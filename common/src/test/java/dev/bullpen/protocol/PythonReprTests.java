package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** argsrepr and kwargsrepr as Celery's saferepr writes them. */
class PythonReprTests {

    private static JsonNode json(String text) {
        return CeleryJson.mapper().readTree(text);
    }

    private static String args(String json) {
        return PythonRepr.ofArgs(json(json));
    }

    @Test
    void argsAreATuple() {
        assertThat(args("[2, 3]")).isEqualTo("(2, 3)");
        assertThat(args("[]")).isEqualTo("()");
    }

    @Test
    void aSingleArgumentHasTheTrailingComma() {
        assertThat(args("[1]")).isEqualTo("(1,)");
        assertThat(args("[[1]]")).isEqualTo("([1],)");
    }

    @Test
    void kwargsAreADict() {
        assertThat(PythonRepr.ofKwargs(json("{\"x\": 2, \"y\": 40}"))).isEqualTo("{'x': 2, 'y': 40}");
        assertThat(PythonRepr.ofKwargs(json("{}"))).isEqualTo("{}");
    }

    @Test
    void noneTrueFalse() {
        assertThat(args("[null, true, false]")).isEqualTo("(None, True, False)");
    }

    @Test
    void stringsAreSingleQuotedWithOnlyTheQuoteEscaped() {
        // saferepr, not repr: Python's repr would write "it's" and 'a\nb'.
        assertThat(args("[\"it's\"]")).isEqualTo("('it\\'s',)");
        assertThat(args("[\"say \\\"hi\\\"\"]")).isEqualTo("('say \"hi\"',)");
        assertThat(args("[\"a\\nb\\\\c\"]")).isEqualTo("('a\nb\\c',)");
        assertThat(args("[\"\u00e9 \u2603 \ud83d\ude00\"]")).isEqualTo("('\u00e9 \u2603 \ud83d\ude00',)");
        assertThat(PythonRepr.ofKwargs(json("{\"it's\": null}"))).isEqualTo("{'it\\'s': None}");
    }

    @Test
    void nestingDeeperThanThreeLevelsIsElided() {
        assertThat(args("[[1, [2, {\"a\": [3]}]]]")).isEqualTo("([1, [2, {...}]],)");
        assertThat(PythonRepr.ofKwargs(json("{\"a\": {\"b\": {\"c\": {\"d\": 1}}}}")))
                .isEqualTo("{'a': {'b': {'c': {...}}}}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1.0 | 1.0", "1.5 | 1.5", "0.1 | 0.1", "100.0 | 100.0", "-42.75 | -42.75", "-0.0 | -0.0", "0.0 | 0.0",
        "1e16 | 1e+16", "1e15 | 1000000000000000.0", "1e7 | 10000000.0", "1e-5 | 1e-05", "1e-4 | 0.0001",
        "2.5e-7 | 2.5e-07", "1e300 | 1e+300", "5e-324 | 5e-324", "123456789.125 | 123456789.125",
        "1234567890123456789.0 | 1.2345678901234568e+18", "0.30000000000000004 | 0.30000000000000004"})
    void floatsPrintAsPythonPrintsThem(String json, String python) {
        assertThat(args("[" + json + "]")).isEqualTo("(" + python + ",)");
    }

    @Test
    void aJavaFloatPrintsWithItsOwnDigits() {
        ArrayNode a = CeleryJson.mapper().createArrayNode().add(0.1f);
        assertThat(PythonRepr.ofArgs(a)).isEqualTo("(0.1,)");
    }

    @Test
    void bigIntegersPrintInFull() {
        assertThat(args("[18446744073709551617, -9223372036854775808]"))
                .isEqualTo("(18446744073709551617, -9223372036854775808)");
    }

    @Test
    void aLongStringIsCutAtTheBudgetBackToTheLastSpace() {
        // Exactly Celery's output, quirks included: the budget runs out on the tuple's closer, which
        // saferepr then drops.
        String repr = args("[\"" + "x".repeat(2000) + "\"]");
        assertThat(repr).isEqualTo("('" + "x".repeat(1023) + "...', ...");

        String words = PythonRepr.ofKwargs(json("{\"k\": \"" + "v ".repeat(600) + "\"}"));
        assertThat(words).startsWith("{'k': 'v v v").endsWith(" v...', ...");
        assertThat(words).hasSize(1033);
    }

    @Test
    void manyArgumentsStopWithEllipsisAndCloseTheBrackets() {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 600; i++) {
            many.append(i == 0 ? "" : ", ").append(i);
        }
        String repr = args(many.append("]").toString());

        assertThat(repr).startsWith("(0, 1, 2, ").endsWith(", 226..., ...)");
        assertThat(repr).hasSize(1033);
    }

    static Stream<PythonCases> celeryCases() {
        return PythonCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("celeryCases")
    void matchesCelerysSaferepr(PythonCases c) {
        assertThat(PythonRepr.ofArgs(json(c.args()))).isEqualTo(c.argsrepr());
        assertThat(PythonRepr.ofKwargs(json(c.kwargs()))).isEqualTo(c.kwargsrepr());
    }
}
