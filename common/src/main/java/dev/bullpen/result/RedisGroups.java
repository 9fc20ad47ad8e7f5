package dev.bullpen.result;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.KombuJson;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Groups and chords in Redis as Celery 5.2's Redis backend keeps them, so that Python and Bullpen
 * clients and workers can share a workflow: {@code celery-taskset-meta-<gid>} holds a saved group,
 * and a chord's header results gather in the zset {@code <key>.j} (entries {@code [1, id, state,
 * result]} scored by {@code group_index}) until it holds {@code <key>.s} (the size the client set)
 * plus {@code <key>.t} (tasks added later) of them.
 *
 * <p>The keys stay until the body is sent ({@link #forgetChord}): a worker that stops in between
 * completes the header again when its message comes back, where Celery, deleting them first, would
 * lose the body.
 *
 * <p>Bullpen adds one key, {@code <key>.f}, set by the first failed header task: that task fails the
 * body at once, and whoever completes the header then knows not to fail it again. A Python worker
 * ignores the key and behaves as Celery does (the body fails once the whole header is done).
 */
final class RedisGroups {

    static final String GROUP_KEY_PREFIX = "celery-taskset-meta-";

    private static final String PART_SCRIPT = """
            local marked = redis.call('EXISTS', KEYS[4])
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
            local ready = redis.call('ZCOUNT', KEYS[1], '-inf', '+inf')
            local diff = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
            local size = tonumber(redis.call('GET', KEYS[3]) or ARGV[5]) or 0
            local first = 0
            if ARGV[4] == '1' and marked == 0 then
              first = 1
              redis.call('SET', KEYS[4], '1')
            end
            local ttl = tonumber(ARGV[3])
            if ttl > 0 then
              for i = 1, 4 do
                if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ttl) end
              end
            end
            if size > 0 and ready >= size + diff then
              return {first, marked, redis.call('ZRANGE', KEYS[1], 0, -1)}
            end
            return {first, marked}
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final String keyPrefix;
    private final String expiresSeconds;
    private final String partSha;

    RedisGroups(StatefulRedisConnection<String, String> commands, String keyPrefix, String expiresSeconds) {
        this.commands = commands;
        this.keyPrefix = keyPrefix;
        this.expiresSeconds = expiresSeconds;
        this.partSha = commands.sync().scriptLoad(PART_SCRIPT);
    }

    String key(String groupId) {
        return keyPrefix + GROUP_KEY_PREFIX + groupId;
    }

    /** Celery's {@code GroupResult.as_tuple()}: {@code [[gid, null], [[[id, null], null], ...]]}. */
    void save(String groupId, List<String> memberIds) {
        var mapper = CeleryJson.mapper();
        ObjectNode value = mapper.createObjectNode();
        ArrayNode tuple = value.putArray("result");
        tuple.addArray().add(groupId).addNull();
        ArrayNode members = tuple.addArray();
        for (String id : memberIds) {
            ArrayNode member = members.addArray();
            member.addArray().add(id).addNull();
            member.addNull();
        }
        set(key(groupId), value.toString());
    }

    Optional<List<String>> members(String groupId) {
        String json = commands.sync().get(key(groupId));
        if (json == null) {
            return Optional.empty();
        }
        JsonNode members = CeleryJson.mapper().readTree(json).path("result").path(1);
        List<String> ids = new ArrayList<>(members.size());
        // A member is [[id, parent], null]; a nested group's tuple is [[gid, parent], [...]]: its id counts.
        members.forEach(m -> ids.add(m.path(0).path(0).asString()));
        return Optional.of(ids);
    }

    void setChordSize(String groupId, int size) {
        set(key(groupId) + ".s", Integer.toString(size));
    }

    ChordProgress partReturn(String groupId, @Nullable Integer groupIndex, ChordEntry entry, int sizeHint) {
        String base = key(groupId);
        String[] keys = {base + ".j", base + ".t", base + ".s", base + ".f"};
        ArrayNode encoded = CeleryJson.mapper().createArrayNode();
        encoded.add(1).add(entry.taskId()).add(entry.state().name()).add(entry.result());
        String[] args = {encoded.toString(), groupIndex == null ? "+inf" : groupIndex.toString(), expiresSeconds,
                entry.failed() ? "1" : "0", Integer.toString(Math.max(0, sizeHint))};
        List<Object> reply;
        try {
            reply = commands.sync().evalsha(partSha, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException ex) {
            reply = commands.sync().eval(PART_SCRIPT, ScriptOutputType.MULTI, keys, args);
        }
        boolean first = ((Long) reply.get(0)) == 1L;
        boolean marked = ((Long) reply.get(1)) == 1L;
        if (reply.size() < 3) {
            return new ChordProgress(first, marked, null);
        }
        List<ChordEntry> all = new ArrayList<>();
        for (Object item : (List<?>) reply.get(2)) {
            all.add(decode(item instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : item.toString()));
        }
        return new ChordProgress(first, marked, all);
    }

    void forgetChord(String groupId) {
        String base = key(groupId);
        commands.sync().del(base + ".j", base + ".t", base + ".s", base + ".f");
    }

    private static ChordEntry decode(String json) {
        JsonNode tuple = CeleryJson.mapper().readTree(json);
        return new ChordEntry(tuple.path(1).asString(), TaskState.of(tuple.path(2).asString()),
                KombuJson.unwrap(tuple.path(3)));
    }

    private void set(String key, String value) {
        if ("0".equals(expiresSeconds)) {
            commands.sync().set(key, value);
        } else {
            commands.sync().setex(key, Long.parseLong(expiresSeconds), value);
        }
    }
}
