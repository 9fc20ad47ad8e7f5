package dev.bullpen.producer.schedule;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A tick's task id, the same on every producer: an HMAC-SHA256, under the schedules' secret, of the
 * key prefix, the schedule's name and the tick's epoch millisecond, written as a UUID (version 8,
 * RFC 9562's custom layout). Should two producers ever publish one tick (the first died between the
 * broker's confirm and recording the run), both messages carry the same id, so the result backend
 * holds one result and the duplicate can be recognised. Without the secret no caller can compute a
 * future tick's id, so none can revoke it or pre-post a result under it ({@link TickSecret}).
 */
final class TickIds {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    private TickIds(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /** Ids keyed with this secret; producers that are to agree on ids share it. */
    static TickIds keyedWith(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("a tick id secret needs at least 16 bytes, got " + secret.length);
        }
        return new TickIds(secret.clone());
    }

    String taskId(String prefix, String schedule, Instant tick) {
        String seed = "bullpen-schedule\n" + prefix + "\n" + schedule + "\n" + tick.toEpochMilli();
        byte[] mac;
        try {
            Mac hmac = Mac.getInstance(ALGORITHM); // not thread-safe: one per id, at one id per tick
            hmac.init(key);
            mac = hmac.doFinal(seed.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("every JDK has " + ALGORITHM, ex);
        }
        mac[6] = (byte) ((mac[6] & 0x0f) | 0x80); // version 8
        mac[8] = (byte) ((mac[8] & 0x3f) | 0x80); // the RFC's variant
        ByteBuffer bytes = ByteBuffer.wrap(mac, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong()).toString();
    }
}
