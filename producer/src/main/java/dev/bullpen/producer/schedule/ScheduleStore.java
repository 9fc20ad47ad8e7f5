package dev.bullpen.producer.schedule;

import dev.bullpen.autoconfigure.ResultProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Schedules and their runs in Redis (layout in {@link dev.bullpen.producer.schedule the package}).
 * The due set holds each schedule's next unpublished tick; {@link #advance} moves it on only from the
 * tick the caller fired, in one script, so that of producers racing on a tick exactly one records it.
 */
@Component
class ScheduleStore {

    /** Writes a definition; resets the next tick only when the trigger changed, so a restart keeps its place. */
    private static final RedisScript<String> SAVE = RedisScript.of("""
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if ARGV[5] == 'api' and current and cjson.decode(current).source == 'config' then return 'config' end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            if redis.call('HGET', KEYS[3], 'trigger') ~= ARGV[3] or not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
              redis.call('HSET', KEYS[3], 'trigger', ARGV[3])
              if ARGV[4] == '' then redis.call('ZREM', KEYS[2], ARGV[1]) else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) end
            end
            if current then return 'replaced' end
            return 'created'
            """, String.class);
    /** Compare-and-set of the next tick, recording the run or the skip with it. */
    private static final RedisScript<Long> ADVANCE = RedisScript.of("""
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
            if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
            if ARGV[4] == '' then
              redis.call('HINCRBY', KEYS[2], 'skipped_count', 1)
            else
              redis.call('HSET', KEYS[2], 'last_run_at', ARGV[2], 'last_task_id', ARGV[4], 'last_published_at', ARGV[5])
              redis.call('HINCRBY', KEYS[2], 'total_run_count', 1)
            end
            redis.call('HDEL', KEYS[2], 'last_error')
            return 1
            """, Long.class);
    private static final RedisScript<Long> FAILED = RedisScript.of("""
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
            redis.call('HSET', KEYS[2], 'last_error', ARGV[3])
            return 1
            """, Long.class);
    private static final RedisScript<Long> UNLOCK = RedisScript.of("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            return redis.call('DEL', KEYS[1])
            """, Long.class);

    /** What {@link #save} did. */
    enum Saved { CREATED, REPLACED, REFUSED_CONFIG }

    /** A due tick: the schedule's next unpublished tick, at or before now. */
    record Due(String name, Instant tick) {
    }

    private final StringRedisTemplate redis;
    private final String prefix;

    ScheduleStore(StringRedisTemplate redis, ResultProperties results) {
        this.redis = redis;
        this.prefix = results.keyPrefix();
    }

    /**
     * Writes the schedule. An API schedule does not replace a config one.
     *
     * @param now the first tick is the trigger's first after this, unless the schedule keeps its own
     */
    Saved save(Schedule schedule, Instant now) {
        @Nullable Instant next = schedule.trigger().nextAfter(now);
        String answer = redis.execute(SAVE, List.of(definitions(), due(), runs(schedule.name())), schedule.name(),
                ScheduleJson.write(schedule), schedule.trigger().spec(), next == null ? "" : millis(next),
                schedule.source().wire());
        return switch (answer == null ? "" : answer) {
            case "config" -> Saved.REFUSED_CONFIG;
            case "replaced" -> Saved.REPLACED;
            default -> Saved.CREATED;
        };
    }

    /** @return whether there was such a schedule */
    boolean delete(String name) {
        Long removed = redis.opsForHash().delete(definitions(), name);
        redis.opsForZSet().remove(due(), name);
        redis.delete(List.of(runs(name), lock(name)));
        return removed != null && removed > 0;
    }

    Optional<Schedule> find(String name) {
        Object json = redis.opsForHash().get(definitions(), name);
        return json == null ? Optional.empty() : Optional.of(ScheduleJson.fromStored(json.toString()));
    }

    /** Every schedule, by name. */
    List<Schedule> all() {
        Map<Object, Object> stored = redis.opsForHash().entries(definitions());
        List<Schedule> all = new ArrayList<>();
        stored.values().forEach(json -> all.add(ScheduleJson.fromStored(json.toString())));
        all.sort((a, b) -> a.name().compareTo(b.name()));
        return all;
    }

    ScheduleRuns runs(Schedule schedule) {
        Map<Object, Object> fields = redis.opsForHash().entries(runs(schedule.name()));
        Double next = redis.opsForZSet().score(due(), schedule.name());
        return new ScheduleRuns(next == null ? null : Instant.ofEpochMilli(next.longValue()),
                instant(fields.get("last_run_at")), string(fields.get("last_task_id")),
                instant(fields.get("last_published_at")), count(fields.get("total_run_count")),
                count(fields.get("skipped_count")), string(fields.get("last_error")));
    }

    /** The ticks due at {@code now}, earliest first. */
    List<Due> due(Instant now) {
        Set<TypedTuple<String>> due = redis.opsForZSet().rangeByScoreWithScores(due(), Double.NEGATIVE_INFINITY,
                now.toEpochMilli());
        List<Due> ticks = new ArrayList<>();
        if (due != null) {
            // A ZRANGE ... WITHSCORES reply has both in every tuple.
            due.forEach(t -> ticks.add(new Due(Objects.requireNonNull(t.getValue()),
                    Instant.ofEpochMilli(Objects.requireNonNull(t.getScore()).longValue()))));
        }
        return ticks;
    }

    /** The schedule's next unpublished tick now, or null when it has none (deleted, or never ticks again). */
    @Nullable Instant nextTick(String name) {
        Double score = redis.opsForZSet().score(due(), name);
        return score == null ? null : Instant.ofEpochMilli(score.longValue());
    }

    /** The earliest tick after {@code now}, or null when none is scheduled. */
    @Nullable Instant nextAfter(Instant now) {
        Set<TypedTuple<String>> next = redis.opsForZSet().rangeByScoreWithScores(due(), now.toEpochMilli() + 1,
                Double.POSITIVE_INFINITY, 0, 1);
        return next == null || next.isEmpty() ? null : Instant.ofEpochMilli(
                Objects.requireNonNull(next.iterator().next().getScore()).longValue());
    }

    /** Takes the schedule's lock for {@code lease}, unless another producer holds it. */
    boolean lock(String name, String token, Duration lease) {
        return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(lock(name), token, lease));
    }

    void unlock(String name, String token) {
        redis.execute(UNLOCK, List.of(lock(name)), token);
    }

    /**
     * Moves the schedule on from {@code tick} to {@code next}, recording a run with {@code taskId}, or a
     * skip when it is null.
     *
     * @return false when the schedule is no longer at {@code tick}: another producer moved it, or it was
     *         deleted or its trigger changed
     */
    boolean advance(String name, Instant tick, @Nullable Instant next, @Nullable String taskId, Instant publishedAt) {
        Long done = redis.execute(ADVANCE, List.of(due(), runs(name)), name, millis(tick),
                next == null ? "" : millis(next), taskId == null ? "" : taskId, millis(publishedAt));
        return done != null && done == 1L;
    }

    /** Notes why the tick is not published yet, for {@code GET /api/schedules}. */
    void failed(String name, Instant tick, String error) {
        redis.execute(FAILED, List.of(due(), runs(name)), name, millis(tick), error);
    }

    /** The key prefix, part of each tick's task id. */
    String prefix() {
        return prefix;
    }

    private String definitions() {
        return prefix + "bullpen-schedules";
    }

    private String due() {
        return prefix + "bullpen-schedules-due";
    }

    private String runs(String name) {
        return prefix + "bullpen-schedule:" + name;
    }

    private String lock(String name) {
        return prefix + "bullpen-schedule-lock:" + name;
    }

    private static String millis(Instant instant) {
        return Long.toString(instant.toEpochMilli());
    }

    private static @Nullable Instant instant(@Nullable Object millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis.toString()));
    }

    private static @Nullable String string(@Nullable Object value) {
        return value == null ? null : value.toString();
    }

    private static long count(@Nullable Object value) {
        return value == null ? 0 : Long.parseLong(value.toString());
    }
}
