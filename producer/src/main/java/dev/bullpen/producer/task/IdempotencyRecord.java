package dev.bullpen.producer.task;

import dev.bullpen.protocol.CeleryJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Redis holds under an {@code Idempotency-Key}: the task id chosen for it and the fingerprint
 * of the body it came with, first as a claim while the task is being published, then as a record
 * once the broker has confirmed it. Stored as a small JSON object.
 */
sealed interface IdempotencyRecord {

    /** The id of the task the key stands for. */
    String taskId();

    /** The {@link RequestFingerprint} of the body that claimed the key. */
    String fingerprint();

    /**
     * Claimed by a request that is publishing its task now; not yet an answer to give anyone.
     *
     * @param claim a random token, so that the claimant releases or settles only its own claim,
     *        never a later one made after its own lapsed
     */
    record Pending(String taskId, String fingerprint, String claim) implements IdempotencyRecord {
    }

    /** The broker has confirmed the task: every request with the key answers its id. */
    record Published(String taskId, String fingerprint) implements IdempotencyRecord {
    }

    /** The JSON stored in Redis. */
    static String encode(IdempotencyRecord record) {
        ObjectNode node = CeleryJson.mapper().createObjectNode();
        switch (record) {
            case Pending pending -> node.put("state", "pending").put("claim", pending.claim());
            case Published published -> node.put("state", "published");
        }
        return node.put("id", record.taskId()).put("fingerprint", record.fingerprint()).toString();
    }

    /**
     * The record stored as JSON.
     *
     * @throws IllegalStateException for a value that is not one (written by something else under the
     *         key prefix): guessing what it means could publish twice or answer a wrong id
     */
    static IdempotencyRecord decode(String json) {
        JsonNode node;
        try {
            node = CeleryJson.mapper().readTree(json);
        } catch (JacksonException ex) {
            throw unreadable(json);
        }
        if (!node.path("id").isString() || !node.path("fingerprint").isString()) {
            throw unreadable(json);
        }
        String id = node.get("id").stringValue();
        String fingerprint = node.get("fingerprint").stringValue();
        return switch (node.path("state").asString("")) {
            case "published" -> new Published(id, fingerprint);
            case "pending" -> {
                if (!node.path("claim").isString()) {
                    throw unreadable(json);
                }
                yield new Pending(id, fingerprint, node.get("claim").stringValue());
            }
            default -> throw unreadable(json);
        };
    }

    private static IllegalStateException unreadable(String json) {
        String shown = json.length() > 100 ? json.substring(0, 100) + "..." : json;
        return new IllegalStateException("not an idempotency record: " + shown);
    }
}
