package dev.bullpen.producer.task;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Idempotency-Key} request header of a submission, checked. In Redis it is stored under
 * its SHA-256, so that any key the caller picks makes a short key that is safe as a Redis key and
 * in a {@code SCAN} pattern, and the caller's text itself is never stored.
 *
 * @param value the header as the caller sent it
 */
record IdempotencyKey(String value) {

    /** The request header. */
    static final String HEADER = "Idempotency-Key";
    /** As Stripe's: long enough for a UUID or any key a client derives, short enough to keep junk out. */
    static final int MAX_LENGTH = 255;
    /** Before the hashed key in its Redis key (after {@code bullpen.result.key-prefix}). */
    static final String REDIS_KEY_PREFIX = "bullpen-idem-";

    /**
     * The key of a request, or null when the request has none.
     *
     * @throws InvalidTaskRequestException when the header is there but empty, blank or too long
     */
    static @Nullable IdempotencyKey of(@Nullable String header) {
        if (header == null) {
            return null;
        }
        if (header.isBlank()) {
            throw new InvalidTaskRequestException(HEADER, HEADER + " must not be empty; leave the header out "
                    + "to submit without one");
        }
        if (header.length() > MAX_LENGTH) {
            throw new InvalidTaskRequestException(HEADER, HEADER + " must be at most " + MAX_LENGTH
                    + " characters, got " + header.length());
        }
        TaskRequestReader.noControlCharacters(HEADER, header);
        return new IdempotencyKey(header);
    }

    /** The Redis key that holds this key's claim, under the results' key prefix. */
    String redisKey(String keyPrefix) {
        return keyPrefix + REDIS_KEY_PREFIX + sha256(value.getBytes(StandardCharsets.UTF_8));
    }

    /** Lowercase hex SHA-256, as {@code sha256sum} prints it. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
    }

    @Override
    public String toString() {
        // Keys may be derived from business data: log lines show their hash only.
        return "IdempotencyKey[" + sha256(value.getBytes(StandardCharsets.UTF_8)).substring(0, 12) + "]";
    }
}
