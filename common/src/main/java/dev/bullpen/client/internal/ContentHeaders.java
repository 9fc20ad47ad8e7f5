package dev.bullpen.client.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Makes one content header frame's payload safe for the RabbitMQ Java client: its headers table
 * readable (see {@link FieldTables}), and its body within a limit.
 *
 * <p>The payload is class id (2 bytes), weight (2), body size (8), property flags (2), then the
 * properties the flags name, in order: content type and content encoding (short strings), then the
 * headers table. A table with a value the client cannot read keeps its readable entries before it and
 * gains {@link GuardedSocketFactory#UNREADABLE_HEADERS}, saying why. A body over the limit is
 * announced as empty, and its size given in {@link GuardedSocketFactory#DROPPED_BODY_BYTES}; the
 * caller then drops the body frames that follow on that channel.
 */
final class ContentHeaders {

    private static final int BODY_SIZE_AT = 4;
    private static final int FLAGS_AT = 12;
    private static final int CONTENT_TYPE = 0x8000;
    private static final int CONTENT_ENCODING = 0x4000;
    private static final int HEADERS = 0x2000;
    /** The properties before the headers table, both short strings. */
    private static final int[] SHORT_STRINGS_FIRST = {CONTENT_TYPE, CONTENT_ENCODING};

    private ContentHeaders() {
    }

    /**
     * What to hand the client instead of a content header.
     *
     * @param payload the payload to give the client: the one read when nothing needed changing
     * @param dropBody how many body bytes to drop on this channel, 0 to drop none
     */
    record Safe(byte[] payload, long dropBody) {
    }

    /**
     * @param payload a content header frame's payload; {@code L} tags in it are rewritten in place
     * @param maxBody the largest body the client is given
     */
    static Safe rewrite(byte[] payload, long maxBody) {
        return rewrite(payload, 0, payload.length, maxBody);
    }

    /** The same over {@code buf[from, to)}; an unchanged answer's payload is {@code buf} itself. */
    static Safe rewrite(byte[] buf, int from, int to, long maxBody) {
        if (to - from < FLAGS_AT + 2) {
            return new Safe(buf, 0); // not a content header the client could read either; let it say so
        }
        long bodySize = readLong(buf, from + BODY_SIZE_AT);
        int flags = ((buf[from + FLAGS_AT] & 0xff) << 8) | (buf[from + FLAGS_AT + 1] & 0xff);
        if ((flags & 1) != 0) {
            return new Safe(buf, 0); // more property flags than basic has: not a basic message
        }
        int p = from + FLAGS_AT + 2;
        for (int flag : SHORT_STRINGS_FIRST) {
            if ((flags & flag) != 0) {
                if (p >= to) {
                    return new Safe(buf, 0);
                }
                p += 1 + (buf[p] & 0xff);
            }
        }
        boolean hasTable = (flags & HEADERS) != 0;
        int tableEnd = p;
        FieldTables.Unreadable unreadable = null;
        if (hasTable) {
            if (p + 4 > to) {
                return new Safe(buf, 0);
            }
            long length = readInt(buf, p);
            if (length > to - p - 4) {
                unreadable = new FieldTables.Unreadable(p + 4, "the headers table runs past the end of its frame");
                tableEnd = to;
            } else {
                tableEnd = p + 4 + (int) length;
                unreadable = FieldTables.scan(buf, p + 4, tableEnd);
            }
        }
        boolean tooLarge = bodySize > maxBody;
        if (unreadable == null && !tooLarge) {
            return new Safe(buf, 0);
        }
        // The new table: the readable entries, then what the guard has to say.
        ByteArrayOutputStream table = new ByteArrayOutputStream(256);
        if (hasTable) {
            int keep = unreadable == null ? tableEnd : unreadable.entryOffset();
            table.write(buf, p + 4, keep - (p + 4));
        }
        if (unreadable != null) {
            writeName(table, GuardedSocketFactory.UNREADABLE_HEADERS);
            byte[] reason = unreadable.reason().getBytes(StandardCharsets.UTF_8);
            table.write('S');
            writeInt(table, reason.length);
            table.write(reason, 0, reason.length);
        }
        if (tooLarge) {
            writeName(table, GuardedSocketFactory.DROPPED_BODY_BYTES);
            table.write('l');
            writeLong(table, bodySize);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + table.size() + 8);
        out.write(buf, from, p - from);
        writeInt(out, table.size());
        out.writeBytes(table.toByteArray());
        if (tableEnd < to) {
            out.write(buf, tableEnd, to - tableEnd);
        }
        byte[] rewritten = out.toByteArray();
        int newFlags = flags | HEADERS;
        rewritten[FLAGS_AT] = (byte) (newFlags >>> 8);
        rewritten[FLAGS_AT + 1] = (byte) newFlags;
        if (tooLarge) {
            for (int i = 0; i < 8; i++) {
                rewritten[BODY_SIZE_AT + i] = 0;
            }
        }
        return new Safe(rewritten, tooLarge ? bodySize : 0);
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private static void writeLong(ByteArrayOutputStream out, long value) {
        writeInt(out, (int) (value >>> 32));
        writeInt(out, (int) value);
    }

    static long readInt(byte[] buf, int at) {
        return ((buf[at] & 0xffL) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
    }

    private static long readLong(byte[] buf, int at) {
        return (readInt(buf, at) << 32) | readInt(buf, at + 4);
    }
}
