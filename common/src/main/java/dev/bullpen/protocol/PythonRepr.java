package dev.bullpen.protocol;

import org.jspecify.annotations.Nullable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What Celery puts in the {@code argsrepr} and {@code kwargsrepr} headers that Flower and Celery's
 * logs show: {@code celery.utils.saferepr.saferepr(args, 1024)}, ported token for token.
 *
 * <p>saferepr is not Python's {@code repr}: strings are always single-quoted with only {@code '}
 * escaped, containers nested deeper than three levels print as {@code [...]}, and past
 * {@value #MAX_LENGTH} characters the text stops with {@code ", ..."} and the brackets still open
 * are closed. Numbers print as Python prints them ({@code 1e+16}, {@code 1e-05}, {@code 10000000.0}).
 */
public final class PythonRepr {

    /** Celery's {@code argsrepr_maxsize} and {@code kwargsrepr_maxsize}. */
    public static final int MAX_LENGTH = 1024;

    /** saferepr's default {@code maxlevels}. */
    private static final int MAX_LEVELS = 3;

    private PythonRepr() {
    }

    /** The args as the tuple a Python client would have passed: {@code (2, 3)}, {@code (1,)}, {@code ()}. */
    public static String ofArgs(JsonNode args) {
        return new Stream(MAX_LENGTH).tuple(args).text();
    }

    /** The kwargs dict: {@code {'x': 2, 'y': 40}}. */
    public static String ofKwargs(JsonNode kwargs) {
        return new Stream(MAX_LENGTH).value(kwargs, 0).text();
    }

    /** Any one value, e.g. {@code [1, 'a']} or {@code None}. */
    public static String of(JsonNode value) {
        return new Stream(MAX_LENGTH).value(value, 0).text();
    }

    /** Python's {@code repr(float)} (shortest round-trip digits, {@code 'r'} format). */
    static String ofFloat(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        return ofDecimal(shortest(value), value < 0 || (value == 0 && 1 / value < 0));
    }

    /**
     * The shortest decimal that reads back as {@code value}, as Python's repr picks it. Java's
     * {@code Double.toString} is shortest too, except that it never writes fewer than two digits
     * ({@code 4.9E-324} where Python writes {@code 5e-324}), so try one digit first.
     */
    private static String shortest(double value) {
        String java = Double.toString(value);
        BigDecimal decimal = new BigDecimal(java).stripTrailingZeros();
        if (decimal.precision() == 2) {
            BigDecimal exact = new BigDecimal(value);
            BigDecimal best = null;
            for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
                BigDecimal candidate = decimal.round(new MathContext(1, mode));
                if (candidate.doubleValue() == value && (best == null
                        || candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
                    best = candidate;
                }
            }
            if (best != null) {
                return best.toString();
            }
        }
        return java;
    }

    /** A Java float goes on the wire with {@code Float.toString}'s digits, and Python reads those. */
    static String ofFloat(float value) {
        if (Float.isNaN(value) || Float.isInfinite(value)) {
            return ofFloat((double) value);
        }
        return ofDecimal(Float.toString(value), value < 0 || (value == 0 && 1 / value < 0));
    }

    private static String ofDecimal(String javaText, boolean negative) {
        BigDecimal decimal = new BigDecimal(javaText).abs();
        String sign = negative ? "-" : "";
        if (decimal.signum() == 0) {
            return sign + "0.0";
        }
        decimal = decimal.stripTrailingZeros();
        String digits = decimal.unscaledValue().toString();
        // value = 0.<digits> x 10^point
        int point = digits.length() - decimal.scale();
        if (point <= -4 || point > 16) {
            int exponent = point - 1;
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = Integer.toString(Math.abs(exponent));
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (exp.length() < 2 ? "0" + exp : exp);
        }
        if (point <= 0) {
            return sign + "0." + "0".repeat(-point) + digits;
        }
        if (point >= digits.length()) {
            return sign + digits + "0".repeat(point - digits.length()) + ".0";
        }
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    private static String ofNumber(JsonNode number) {
        if (number.isIntegralNumber()) {
            return number.bigIntegerValue().toString();
        }
        if (number.isFloat()) {
            return ofFloat(number.floatValue());
        }
        return ofFloat(number.doubleValue());
    }

    /** Python's len(): code points, not UTF-16 units. */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** celery.utils.text.truncate: cut at {@code max} code points, back to the last space, add "...". */
    private static String truncate(String s, int max) {
        if (max > 0 && length(s) >= max) {
            String head = s.substring(0, s.offsetByCodePoints(0, max));
            int space = head.lastIndexOf(' ');
            return (space >= 0 ? head.substring(0, space) : head) + "...";
        }
        return s;
    }

    private static String quoted(String s, int max) {
        return "'" + truncate(s, max).replace("'", "\\'") + "'";
    }

    /**
     * saferepr's token stream with its budget. Each token costs its length; the first token seen with
     * the budget spent is dropped, {@code ", ..."} is written instead, and then the closing brackets
     * of every container whose items were still being written.
     */
    private static final class Stream {

        private final StringBuilder out = new StringBuilder();
        /** Closers of the containers being written, innermost first. */
        private final Deque<String> open = new ArrayDeque<>();
        private int budget;
        private boolean stopped;

        Stream(int budget) {
            this.budget = budget;
        }

        String text() {
            if (stopped) {
                open.forEach(out::append);
            }
            return out.toString();
        }

        Stream tuple(JsonNode items) {
            container("(", items.size() == 1 ? ",)" : ")", items.values().iterator(), null, 0);
            return this;
        }

        Stream value(JsonNode node, int level) {
            if (stopped) {
                return this;
            }
            if (node.isArray()) {
                containerOrEllipsis("[", "]", node.values().iterator(), null, level);
            } else if (node.isObject()) {
                containerOrEllipsis("{", "}", null, node.properties().iterator(), level);
            } else if (node.isString()) {
                token(quotedToken(node.stringValue()));
            } else if (node.isNumber()) {
                token(truncate(ofNumber(node), budget));
            } else if (node.isBoolean()) {
                token(truncate(node.booleanValue() ? "True" : "False", budget));
            } else if (node.isNull() || node.isMissingNode()) {
                token(truncate("None", budget));
            } else {
                token(truncate(node.toString(), budget));
            }
            return this;
        }

        private void containerOrEllipsis(String start, String end, @Nullable Iterator<JsonNode> items,
                @Nullable Iterator<Map.Entry<String, JsonNode>> entries, int level) {
            if (level >= MAX_LEVELS) {
                token(truncate(start + "..." + end, budget));
            } else {
                container(start, end, items, entries, level);
            }
        }

        private void container(String start, String end, @Nullable Iterator<JsonNode> items,
                @Nullable Iterator<Map.Entry<String, JsonNode>> entries, int level) {
            // The closer is owed from the moment the opener is reached, even if the opener itself is cut.
            open.push(end);
            token(start);
            boolean first = true;
            if (items != null) {
                while (items.hasNext() && !stopped) {
                    if (!first) {
                        token(", ");
                    }
                    first = false;
                    value(items.next(), level + 1);
                }
            } else if (entries != null) {
                while (entries.hasNext() && !stopped) {
                    if (!first) {
                        token(", ");
                    }
                    first = false;
                    var entry = entries.next();
                    token(quotedToken(entry.getKey()));
                    token(": ");
                    value(entry.getValue(), level + 1);
                }
            }
            if (!stopped) {
                open.pop();
                token(end);
            }
        }

        /** Strings are cut to what is left of the budget when they are reached. */
        private String quotedToken(String s) {
            return quoted(s, budget);
        }

        private void token(String text) {
            if (stopped) {
                return;
            }
            if (budget <= 0) {
                out.append(", ...");
                stopped = true;
                return;
            }
            out.append(text);
            budget -= length(text);
        }
    }
}
