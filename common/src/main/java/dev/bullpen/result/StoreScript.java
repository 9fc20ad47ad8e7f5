package dev.bullpen.result;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The Redis backend's atomic write: {@code SET}(EX) and {@code PUBLISH} of a result, unless the
 * stored state may not move to the new one ({@link TaskState#canMoveTo}).
 *
 * <p>The script holds no table of its own: each call passes, as {@code ARGV[3]}, the stored states
 * the new one may not replace, computed here from {@link TaskState}'s table, so the two cannot drift.
 */
final class StoreScript {

    /*
     * Celery (every version's json.dumps) and Bullpen both write "status" first, so the value's
     * first bytes tell its state without decoding it: '{"status": "FAILURE"' (or without the space).
     * GETRANGE copies those few bytes, not the whole value. Only a value that starts otherwise (JSON
     * written in another order, or a status name longer than the range) is decoded whole. A stored
     * state that is not in ARGV[3] (a Python task's custom progress state, garbage, nothing at all)
     * is replaced: such states are on the way, never a task's outcome.
     */
    static final String SOURCE = """
            local head = redis.call('GETRANGE', KEYS[1], 0, 63)
            local stored = string.match(head, '^{"status": ?"([^"]*)"')
            if not stored and head ~= '' then
              local ok, meta = pcall(cjson.decode, redis.call('GET', KEYS[1]))
              if ok and type(meta) == 'table' and type(meta['status']) == 'string' then stored = meta['status'] end
            end
            if stored then
              for final in string.gmatch(ARGV[3], '%S+') do
                if final == stored then return 0 end
              end
            end
            if tonumber(ARGV[2]) > 0 then
              redis.call('SETEX', KEYS[1], ARGV[2], ARGV[1])
            else
              redis.call('SET', KEYS[1], ARGV[1])
            end
            redis.call('PUBLISH', KEYS[1], ARGV[1])
            return 1
            """;

    /** For each state written, the stored states it may not replace, space-separated, as the script reads them. */
    private static final Map<TaskState, String> NOT_REPLACED = notReplaced();

    private StoreScript() {
    }

    /** {@code ARGV[3]} for a write of {@code next}: the stored states it may not replace, e.g. "SUCCESS FAILURE REVOKED". */
    static String notReplacedBy(TaskState next) {
        return Objects.requireNonNull(NOT_REPLACED.get(next), "every state has a row");
    }

    private static Map<TaskState, String> notReplaced() {
        Map<TaskState, String> out = new EnumMap<>(TaskState.class);
        for (TaskState next : TaskState.values()) {
            out.put(next, Arrays.stream(TaskState.values()).filter(stored -> !stored.canMoveTo(next))
                    .map(TaskState::name).collect(Collectors.joining(" ")));
        }
        return out;
    }
}
