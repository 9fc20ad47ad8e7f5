package dev.bullpen.producer.task;

import dev.bullpen.protocol.CeleryJson;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.cfg.JsonNodeFeature;

/**
 * What identifies a submission's body, so that an {@code Idempotency-Key} reused with another body
 * is told apart from a repeat: the SHA-256 of the parsed JSON written back with its properties
 * sorted. Spacing and the order of fields do not change it; anything that changes what would be
 * sent does, down to {@code 1} against {@code 1.0}, which the wire tells apart too.
 */
final class RequestFingerprint {

    private static final ObjectWriter CANONICAL = CeleryJson.mapper().writer()
            .with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);

    private RequestFingerprint() {
    }

    /** The fingerprint of a parsed body, in lowercase hex. */
    static String of(JsonNode body) {
        return IdempotencyKey.sha256(CANONICAL.writeValueAsBytes(body));
    }
}
