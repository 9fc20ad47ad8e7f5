package dev.bullpen.producer.workers;

import dev.bullpen.autoconfigure.RoutingProperties;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.metrics.TagValues;
import dev.bullpen.producer.queues.QueuePolicy;
import dev.bullpen.producer.schedule.ScheduleDefinitions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The producer's tag values for task and queue names ({@link TagValues}): the names it knows are
 * their own tag, every other one is {@link MeterNames#UNREGISTERED} (tasks) or
 * {@link MeterNames#OTHER_QUEUE} (queues), as on the worker. Task and queue names come from callers,
 * and each new tag value would be a new series in every scrape.
 *
 * <p>Known are: the configured queues ({@link QueuePolicy#configured()}), the exact task names of
 * {@code bullpen.routes} and the tasks and queues of {@code bullpen.schedules}; and what live Bullpen
 * workers report in their heartbeats (their tasks, queues and direct queues), at most
 * {@link #MAX_REPORTED} of each, since anyone who can publish on the broker can send a heartbeat.
 * Python Celery workers report no tasks: their tasks are tagged by name only if configured.
 */
@Component
class KnownNames implements TagValues {

    /** Names taken from heartbeats at most, of tasks and of queues each. */
    static final int MAX_REPORTED = 1_000;
    /** How long a snapshot of the workers' names is used: the lookup runs for every message. */
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Snapshot(Set<String> tasks, Set<String> queues, long takenAt) {
    }

    private final WorkerDirectory workers;
    private final Set<String> configuredTasks = new HashSet<>();
    private final Set<String> configuredQueues = new HashSet<>();
    private volatile @Nullable Snapshot snapshot;

    KnownNames(WorkerDirectory workers, QueuePolicy queues, RoutingProperties routing, ScheduleDefinitions schedules) {
        this.workers = workers;
        configuredQueues.addAll(queues.configured());
        routing.routes().keySet().stream().filter(pattern -> !pattern.contains("*")).forEach(configuredTasks::add);
        schedules.schedules().values().forEach(entry -> {
            if (entry.task() != null) {
                configuredTasks.add(entry.task().strip());
            }
            if (entry.queue() != null) {
                configuredQueues.add(entry.queue());
            }
        });
    }

    @Override
    public String task(String name) {
        return configuredTasks.contains(name) || current().tasks().contains(name) ? name : MeterNames.UNREGISTERED;
    }

    @Override
    public String queue(String name) {
        return configuredQueues.contains(name) || current().queues().contains(name) ? name : MeterNames.OTHER_QUEUE;
    }

    private Snapshot current() {
        Snapshot known = snapshot;
        long now = System.nanoTime();
        if (known == null || now - known.takenAt() > REFRESH_NANOS) {
            known = take(now);
            snapshot = known;
        }
        return known;
    }

    private Snapshot take(long now) {
        Set<String> tasks = new HashSet<>();
        Set<String> queues = new HashSet<>();
        for (WorkerInfo worker : workers.alive()) {
            addUpTo(tasks, worker.tasks());
            addUpTo(queues, worker.queues());
            if (worker.directQueue() != null) {
                addUpTo(queues, List.of(worker.directQueue()));
            }
        }
        return new Snapshot(Set.copyOf(tasks), Set.copyOf(queues), now);
    }

    private static void addUpTo(Set<String> names, List<String> more) {
        for (String name : more) {
            if (names.size() >= MAX_REPORTED) {
                return;
            }
            names.add(name);
        }
    }
}
