package dev.bullpen.client.internal;

import dev.bullpen.metrics.MeterNames;
import dev.bullpen.metrics.TagValues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The client's meters: tasks published by task and queue, and publish latency up to the broker's
 * confirm. Meters are looked up once per task and queue and then reused, since this runs for every
 * message. Names become tag values through {@link TagValues}, and the meters are kept by tag value,
 * so that unknown names share one meter and this cache stays as small as the series count.
 */
public final class PublishMeters {

    private record Key(String task, String queue) {
    }

    private final MeterRegistry registry;
    private final TagValues tags;
    private final ConcurrentMap<Key, Counter> published = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> confirmed = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> failed = new ConcurrentHashMap<>();

    public PublishMeters(MeterRegistry registry) {
        this(registry, TagValues.AS_IS);
    }

    public PublishMeters(MeterRegistry registry, TagValues tags) {
        this.registry = registry;
        this.tags = tags;
    }

    /** The broker confirmed a task sent at {@code startNanos} ({@link System#nanoTime()}). */
    public void confirmed(String task, String queue, long startNanos) {
        String queueTag = tags.queue(queue);
        latency(confirmed, queueTag, "success").record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        published.computeIfAbsent(new Key(tags.task(task), queueTag), k -> Counter.builder(MeterNames.TASKS_PUBLISHED)
                .description("Tasks the broker confirmed").tag(MeterNames.TAG_TASK, k.task())
                .tag(MeterNames.TAG_QUEUE, k.queue()).register(registry)).increment();
    }

    /** A publish failed: refused, unroutable, or the broker was unreachable. */
    public void failed(String queue, long startNanos) {
        latency(failed, tags.queue(queue), "error").record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    private Timer latency(ConcurrentMap<String, Timer> timers, String queue, String outcome) {
        return timers.computeIfAbsent(queue, q -> Timer.builder(MeterNames.PUBLISH_LATENCY)
                .description("From publish to the broker's confirm").tag(MeterNames.TAG_QUEUE, q)
                .tag(MeterNames.TAG_OUTCOME, outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry));
    }
}
