package dev.bullpen.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Watches Redis until the results of known tasks are all stored, by their Celery keys: the end of
 * a drain, whichever worker (Bullpen's or Celery's) stores them.
 */
final class StoredResults implements AutoCloseable {

    private static final int PAGE = 1_000;

    private final RedisConnection redis;
    private final List<byte[]> keys;
    private int checked;

    StoredResults(LettuceConnectionFactory factory, String keyPrefix, List<String> taskIds) {
        this.redis = factory.getConnection();
        this.keys = taskIds.stream().map(id -> (keyPrefix + "celery-task-meta-" + id).getBytes(StandardCharsets.UTF_8))
                .toList();
    }

    /** How many of the results are stored now. */
    int count() {
        long stored = 0;
        for (int from = 0; from < keys.size(); from += PAGE) {
            Long page = redis.keyCommands().exists(keys.subList(from, Math.min(keys.size(), from + PAGE))
                    .toArray(byte[][]::new));
            stored += page == null ? 0 : page;
        }
        return (int) stored;
    }

    /** Waits until the first results are stored: answers how many there are then. */
    int awaitFirst(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        int stored;
        while ((stored = count()) == 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no result stored within " + timeout);
            }
            Thread.sleep(5);
        }
        return stored;
    }

    /**
     * Waits until every result is stored; answers when the last one was seen. Results only ever
     * arrive, so a page once complete is not read again.
     */
    Instant awaitAll(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (checked < keys.size()) {
            List<byte[]> page = keys.subList(checked, Math.min(keys.size(), checked + PAGE));
            Long stored = redis.keyCommands().exists(page.toArray(byte[][]::new));
            if (stored != null && stored == page.size()) {
                checked += page.size();
                continue;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException((checked + (stored == null ? 0 : stored)) + " of " + keys.size()
                        + " results stored within " + timeout);
            }
            Thread.sleep(5);
        }
        return Instant.now();
    }

    /** Deletes the results watched, e.g. a Celery worker's, stored outside the bench's key prefix. */
    void delete() {
        for (int from = 0; from < keys.size(); from += PAGE) {
            redis.keyCommands().unlink(keys.subList(from, Math.min(keys.size(), from + PAGE)).toArray(byte[][]::new));
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
