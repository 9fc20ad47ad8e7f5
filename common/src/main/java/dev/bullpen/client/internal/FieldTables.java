package dev.bullpen.client.internal;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Walks an AMQP 0-9-1 field table in its wire form, as the RabbitMQ Java client would read it,
 * without building it: to find, before the client does, a value it cannot read.
 *
 * <p>The client (5.30) reads the type tags {@code S I i D T F A b B d f l s u t x V} and throws on
 * any other, which drops the whole connection (rabbitmq-java-client issue 632). RabbitMQ itself
 * refuses a message with an unknown tag at publish, but passes {@code L}, which py-amqp (Python
 * Celery's transport) writes for an integer outside 32 bits, followed by the same eight big-endian
 * signed bytes the Java client reads for {@code l}: the walk rewrites that tag in place, and the value
 * reads as the 64-bit integer it is. Any other tag is reported, should a broker or client version ever
 * pass one. Nesting is bounded, since the client's own reader recurses without limit: a table nested some
 * thousands deep, which the broker passes, would end its thread in a {@code StackOverflowError}.
 */
final class FieldTables {

    /** Deeper tables and arrays are refused: Celery's deepest ({@code x-death}) is three levels. */
    static final int MAX_DEPTH = 32;

    private FieldTables() {
    }

    /**
     * The first top-level entry of a table that the client cannot read.
     *
     * @param entryOffset where that entry starts in the buffer: the entries before it are readable
     * @param reason what is wrong, for a dead letter's reason
     */
    record Unreadable(int entryOffset, String reason) {
    }

    /**
     * Scans the table content {@code buf[from, to)} (the bytes after its 4-byte length), rewriting
     * every {@code L} tag to {@code l} in place.
     *
     * @return {@code null} when the client can read every value
     */
    static @Nullable Unreadable scan(byte[] buf, int from, int to) {
        int p = from;
        while (p < to) {
            int entry = p;
            int nameLength = buf[p] & 0xff;
            int valueAt = p + 1 + nameLength;
            try {
                if (valueAt > to) {
                    throw new Problem("its name runs past the end of the table");
                }
                p = value(buf, valueAt, to, 1);
            } catch (Problem problem) {
                // The name is decoded only here: the walk runs for every message's headers.
                String name = valueAt <= to ? new String(buf, entry + 1, nameLength, StandardCharsets.UTF_8) : "?";
                return new Unreadable(entry, "header '" + printable(name) + "' " + problem.getMessage());
            }
        }
        return null;
    }

    private static int value(byte[] buf, int p, int to, int depth) throws Problem {
        if (p >= to) {
            throw new Problem("has no value");
        }
        int tag = buf[p] & 0xff;
        int at = p + 1;
        int end = switch (tag) {
            case 'V' -> at;
            case 'b', 'B', 't' -> at + 1;
            case 's', 'u' -> at + 2;
            case 'I', 'i', 'f' -> at + 4;
            case 'D' -> at + 5;
            case 'T', 'd', 'l' -> at + 8;
            case 'L' -> {
                buf[p] = 'l';
                yield at + 8;
            }
            case 'S', 'x' -> at + 4 + length(buf, at, to);
            case 'F' -> nested(buf, at, to, depth, true);
            case 'A' -> nested(buf, at, to, depth, false);
            default -> throw new Problem("has the field type '" + printable(String.valueOf((char) tag)) + "' (0x"
                    + Integer.toHexString(tag) + "), which the AMQP client cannot read");
        };
        if (end > to) {
            throw new Problem("runs past the end of its table");
        }
        return end;
    }

    private static int nested(byte[] buf, int at, int to, int depth, boolean table) throws Problem {
        if (depth >= MAX_DEPTH) {
            throw new Problem("nests tables or arrays deeper than " + MAX_DEPTH + " levels");
        }
        int start = at + 4;
        int stop = start + length(buf, at, to);
        if (stop > to) {
            throw new Problem("runs past the end of its table");
        }
        int p = start;
        while (p < stop) {
            if (table) {
                p += 1 + (buf[p] & 0xff);
                if (p > stop) {
                    throw new Problem("holds a table whose field name runs past its end");
                }
            }
            p = value(buf, p, stop, depth + 1);
        }
        return stop;
    }

    /** A 4-byte unsigned length that must fit in what is left. */
    private static int length(byte[] buf, int at, int to) throws Problem {
        if (at + 4 > to) {
            throw new Problem("runs past the end of its table");
        }
        long length = ((buf[at] & 0xffL) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
        if (length > to - at - 4) {
            throw new Problem("runs past the end of its table");
        }
        return (int) length;
    }

    /** Control characters escaped, so that a reason never forges a log line. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 100));
        text.codePoints().limit(100).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** A value the client cannot read; a checked exception only to unwind the walk. */
    private static final class Problem extends Exception {
        Problem(String message) {
            super(message, null, false, false);
        }
    }
}
