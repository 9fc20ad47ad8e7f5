package dev.bullpen.logging;

/**
 * Characters that can forge or hide a log line: C0 and C1 controls (CR, LF, ESC for terminal escape
 * sequences, NUL...), DEL, the Unicode line and paragraph separators, and the bidirectional overrides
 * that make a line read other than it is. Names that reach a log, a Redis key or a meter tag are
 * refused when they hold one; log messages have them {@linkplain #escape escaped}.
 */
public final class ControlCharacters {

    private ControlCharacters() {
    }

    /** Whether {@code codePoint} is one of these characters. */
    public static boolean isControl(int codePoint) {
        if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) {
            return true;
        }
        return codePoint == 0x2028 || codePoint == 0x2029 // line and paragraph separators
                || (codePoint >= 0x202a && codePoint <= 0x202e) // bidi embeddings and overrides
                || (codePoint >= 0x2066 && codePoint <= 0x2069); // bidi isolates
    }

    /** The index of the first such character in {@code text}, or -1. */
    public static int indexOf(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code text} with each such character written as a Java escape ({@code \n}, {@code \r},
     * {@code \t}, else {@code \}{@code uXXXX}), so that it stays on one line and reads as what it
     * is; {@code text} itself when it has none, which is the common case and allocates nothing.
     */
    public static String escape(String text) {
        int first = indexOf(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
