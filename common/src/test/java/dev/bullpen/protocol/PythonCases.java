package dev.bullpen.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Expected values computed by Celery 5.2 itself ({@code src/test/python/make_python_cases.py}):
 * saferepr of args and kwargs, and json.dumps of the body's first two elements.
 */
record PythonCases(String args, String kwargs, String argsrepr, String kwargsrepr, String json) {

    static List<PythonCases> all() {
        try (InputStream in = PythonCases.class.getResourceAsStream("/python/cases.json")) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            List<PythonCases> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                out.add(new PythonCases(c.get("args").stringValue(), c.get("kwargs").stringValue(),
                        c.get("argsrepr").stringValue(), c.get("kwargsrepr").stringValue(), c.get("json").stringValue()));
            }
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public String toString() {
        return args.length() > 60 ? args.substring(0, 60) + "..." : args;
    }
}
