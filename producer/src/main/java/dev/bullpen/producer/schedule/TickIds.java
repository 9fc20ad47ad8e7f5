package dev.bullpen.producer.schedule;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * A tick's task id, the same on every producer: a name-based UUID (version 3) of the key prefix, the
 * schedule's name and the tick's epoch millisecond. Should two producers ever publish one tick (the
 * first died between the broker's confirm and recording the run), both messages carry the same id,
 * so the result backend holds one result and the duplicate can be recognised.
 */
final class TickIds {

    private TickIds() {
    }

    static String taskId(String prefix, String schedule, Instant tick) {
        String seed = "bullpen-schedule\n" + prefix + "\n" + schedule + "\n" + tick.toEpochMilli();
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
