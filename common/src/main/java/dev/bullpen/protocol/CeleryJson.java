package dev.bullpen.protocol;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.Instantiatable;
import tools.jackson.core.util.JsonGeneratorDelegate;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON dialect Celery puts on the wire: Python's {@code json.dumps} defaults, that is
 * {@code ", "} and {@code ": "} as separators, everything outside printable ASCII escaped as
 * {@code ensure_ascii} does it (lowercase hex digits, DEL included, non-BMP characters as
 * surrogate pairs), and floats as Python's {@code repr} writes them ({@code 1e+16},
 * {@code 10000000.0}, {@code 5e-324}).
 *
 * <p>Writing exactly what kombu writes keeps Bullpen's messages and results byte-compatible with
 * Celery's, which makes captures comparable and keeps Python tooling that inspects raw values happy.
 */
public final class CeleryJson {

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .characterEscapes(new EnsureAscii())
                    .addDecorator((factory, generator) -> new PythonFloats(generator))
                    .build())
            // A Python datetime keeps its tzinfo: an OffsetDateTime keeps the offset it was sent with.
            .disable(DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();

    private static final ObjectWriter WRITER = MAPPER.writer().with(new PythonSeparators());

    private CeleryJson() {
    }

    /** The mapper used to read and build wire values. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A writer that produces the bytes {@code json.dumps} would. */
    public static ObjectWriter writer() {
        return WRITER;
    }

    /**
     * json.dumps' {@code ensure_ascii}: the short escapes for quote, backslash, newline, return,
     * tab, backspace and form feed, and a six-character escape with lowercase hex digits for every
     * other character outside {@code ' '..'~'}. Jackson hands characters beyond ASCII here one UTF-16 unit at a time,
     * so a character outside the BMP comes out as its surrogate pair, as in Python.
     */
    private static final class EnsureAscii extends CharacterEscapes {

        private static final int[] ASCII = asciiEscapes();

        private static int[] asciiEscapes() {
            int[] codes = CharacterEscapes.standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                if (codes[c] == ESCAPE_STANDARD) {
                    // Jackson's own escapes use uppercase hex digits; Python's are lowercase.
                    codes[c] = ESCAPE_CUSTOM;
                }
            }
            codes[0x7f] = ESCAPE_CUSTOM;
            return codes;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return new SerializedString(String.format("\\u%04x", ch));
        }
    }

    /** Floats in Python's {@code repr}; Jackson would write {@code 1.0E16} and quote NaN. */
    private static final class PythonFloats extends JsonGeneratorDelegate {

        PythonFloats(JsonGenerator delegate) {
            super(delegate, true);
        }

        @Override
        public JsonGenerator writeNumber(double v) {
            return super.writeNumber(python(PythonRepr.ofFloat(v)));
        }

        @Override
        public JsonGenerator writeNumber(float v) {
            return super.writeNumber(python(PythonRepr.ofFloat(v)));
        }

        /** json.dumps writes the non-finite values bare, as JavaScript names them. */
        private static String python(String repr) {
            return switch (repr) {
                case "nan" -> "NaN";
                case "inf" -> "Infinity";
                case "-inf" -> "-Infinity";
                default -> repr;
            };
        }
    }

    /** Python's default separators, with no indentation. Stateless, so one instance serves all. */
    private static final class PythonSeparators implements PrettyPrinter, Instantiatable<PythonSeparators> {

        @Override
        public PythonSeparators createInstance() {
            return this;
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator g) {
        }

        @Override
        public void writeStartObject(JsonGenerator g) {
            g.writeRaw('{');
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) {
            g.writeRaw('}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) {
            g.writeRaw(", ");
        }

        @Override
        public void writeObjectNameValueSeparator(JsonGenerator g) {
            g.writeRaw(": ");
        }

        @Override
        public void writeStartArray(JsonGenerator g) {
            g.writeRaw('[');
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) {
            g.writeRaw(']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) {
            g.writeRaw(", ");
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) {
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) {
        }
    }
}
