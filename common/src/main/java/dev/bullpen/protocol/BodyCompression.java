package dev.bullpen.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Undoes the body compression named by a message's {@code compression} header, as kombu's
 * {@code kombu/compression.py} applies it. Its {@code zlib} and {@code gzip} aliases both send
 * {@code application/x-gzip} and both compress with {@code zlib.compress}: zlib (RFC 1950) data,
 * not a gzip file. A real gzip stream (RFC 1952) under any of these names is read too, for
 * non-Python producers that take the MIME type at its word.
 *
 * <p>bzip2, lzma/xz, brotli and zstd, which kombu offers when their Python modules are installed,
 * have no codec in the JDK: a message using one is refused with a reason saying so.
 */
final class BodyCompression {

    /**
     * The most a body may inflate to: RabbitMQ's default {@code max_message_size}, so no message that
     * could have been sent uncompressed is refused, and a small "zip bomb" cannot exhaust the heap.
     */
    static final int MAX_INFLATED = 128 * 1024 * 1024;

    private BodyCompression() {
    }

    /**
     * The inflated body.
     *
     * @throws MalformedMessageException when the compression is unknown or the body does not inflate
     */
    static byte[] inflate(String compression, byte[] body) {
        return inflate(compression, body, MAX_INFLATED);
    }

    static byte[] inflate(String compression, byte[] body, int maxInflated) {
        String type = compression.strip().toLowerCase(Locale.ROOT);
        switch (type) {
            case "application/x-gzip", "application/gzip", "application/zlib", "application/x-zlib", "gzip", "zlib" -> {
                return read(compression, gzipMagic(body) ? "gzip" : "zlib", body, maxInflated);
            }
            default -> throw new MalformedMessageException("unsupported compression '" + compression
                    + "': Bullpen reads application/x-gzip (kombu's zlib and gzip); send with compression='zlib'"
                    + " or none");
        }
    }

    private static boolean gzipMagic(byte[] body) {
        return body.length >= 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b;
    }

    private static byte[] read(String compression, String format, byte[] body, int maxInflated) {
        try (InputStream in = format.equals("gzip") ? new GZIPInputStream(new ByteArrayInputStream(body))
                : new InflaterInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxInflated, Math.max(64, body.length * 4)));
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (out.size() + n > maxInflated) {
                    throw new MalformedMessageException("body compressed with " + compression + " inflates past "
                            + maxInflated + " bytes; refused");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException ex) {
            throw new MalformedMessageException("body does not inflate as " + format + " (compression '" + compression
                    + "'): " + ex.getMessage(), ex);
        }
    }
}
