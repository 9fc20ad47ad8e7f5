package dev.bullpen.protocol;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.util.Instantiatable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON dialect Celery puts on the wire: Python's {@code json.dumps} defaults, that is
 * {@code ", "} and {@code ": "} as separators and non-ASCII characters escaped.
 *
 * <p>Writing exactly what kombu writes keeps Bullpen's messages and results byte-compatible with
 * Celery's, which makes captures comparable and keeps Python tooling that inspects raw values happy.
 */
public final class CeleryJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
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
