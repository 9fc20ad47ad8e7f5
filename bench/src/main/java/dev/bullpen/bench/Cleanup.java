package dev.bullpen.bench;

import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ScanOptions;

/** Removes what a bench run made on the shared broker and Redis, and nothing else. */
final class Cleanup {

    private Cleanup() {
    }

    /** The run's queue, its exchange and dead-letter queue; best effort. */
    static void queue(Endpoints endpoints, String queue) {
        try (var connection = endpoints.amqpFactory().newConnection("bullpen-bench-cleanup");
             var channel = connection.createChannel()) {
            channel.queueDelete(queue);
            channel.exchangeDelete(queue);
            channel.queueDelete(queue + ".dlq");
        } catch (Exception ignored) {
            // best effort: the run is over either way
        }
    }

    /** Every Redis key under the run's own prefix (results, groups, chord counters). */
    static void keys(LettuceConnectionFactory redis, String prefix) {
        try (var connection = redis.getConnection();
             var cursor = connection.keyCommands().scan(ScanOptions.scanOptions().match(prefix + "*").count(1000).build())) {
            List<byte[]> keys = new ArrayList<>();
            cursor.forEachRemaining(keys::add);
            if (!keys.isEmpty()) {
                connection.keyCommands().del(keys.toArray(byte[][]::new));
            }
        } catch (RuntimeException ex) {
            System.err.println("(could not delete the Redis keys under " + prefix + ": " + ex.getMessage() + ")");
        }
    }
}
