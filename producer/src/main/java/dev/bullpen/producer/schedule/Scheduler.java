package dev.bullpen.producer.schedule;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.metrics.MeterNames;
import dev.bullpen.producer.schedule.ScheduleStore.Due;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Fires due ticks, on every producer at once. For a due tick a producer takes the schedule's lock,
 * checks the tick is still the due one, publishes it through the {@link TaskClient} with the tick's
 * own task id, and only after the broker's confirm moves the schedule on (a compare-and-set from that
 * tick). A tick that could not be published stays due and is retried on the next wake-up, by
 * whichever producer gets the lock. Lateness decides what a due tick becomes; see
 * {@link SchedulerProperties}.
 */
@Component
class Scheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private final ScheduleStore store;
    private final TickSecret tickSecret;
    private final TaskClient client;
    private final SchedulerProperties properties;
    private final List<Schedule> configured;
    private final Duration confirmTimeout;
    /** Longer than any publish: a lock outlives its holder only if the holder dies. */
    private final Duration lease;
    private final MeterRegistry meters;
    private final Clock clock = Clock.systemUTC();
    /** Names this producer in its locks. */
    private final String token = UUID.randomUUID().toString();
    private final LinkedBlockingQueue<Boolean> wakeups = new LinkedBlockingQueue<>();
    /** Runs published whose record Redis did not take; only the scheduler's thread touches it. */
    private final List<Unrecorded> unrecorded = new ArrayList<>();
    private volatile boolean running;
    private volatile boolean synced;
    private @Nullable Thread thread;

    Scheduler(ScheduleStore store, TickSecret tickSecret, TaskClient client, SchedulerProperties properties,
            ScheduleDefinitions definitions, ClientProperties clientProperties, MeterRegistry meters) {
        this.store = store;
        this.tickSecret = tickSecret;
        this.meters = meters;
        this.client = client;
        this.properties = properties;
        this.configured = definitions.toSchedules();
        this.confirmTimeout = clientProperties.confirmTimeout();
        this.lease = confirmTimeout.multipliedBy(2).plusSeconds(10);
    }

    @Override
    public void start() {
        running = true;
        try {
            syncConfig();
        } catch (RuntimeException ex) {
            log.warn("Schedules from bullpen.schedules not written to Redis yet ({}); {}", ex.toString(),
                    properties.enabled() ? "retrying every " + properties.pollInterval() : "they are written on the next start");
        }
        if (properties.enabled()) {
            thread = Thread.ofPlatform().name("bullpen-scheduler").daemon().start(this::run);
        }
    }

    @Override
    public void stop() {
        running = false;
        wake();
        Thread current = thread;
        if (current != null) {
            try {
                current.join(confirmTimeout.plusSeconds(5).toMillis());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Looks at the schedules again now, e.g. after one was created. */
    void wake() {
        wakeups.offer(Boolean.TRUE);
    }

    private void run() {
        while (running) {
            Duration sleep = properties.pollInterval();
            try {
                if (!synced) {
                    syncConfig();
                }
                recordUnrecorded();
                Instant now = clock.instant();
                for (Due due : store.due(now)) {
                    if (!running) {
                        return;
                    }
                    fire(due);
                }
                @Nullable Instant next = store.nextAfter(now);
                if (next != null) {
                    Duration untilNext = Duration.between(clock.instant(), next);
                    sleep = untilNext.isNegative() ? Duration.ZERO : untilNext.compareTo(sleep) < 0 ? untilNext : sleep;
                }
            } catch (RuntimeException ex) {
                log.warn("Scheduler could not read the schedules ({}); retrying in {}", ex.toString(), sleep);
            }
            try {
                wakeups.poll(sleep.toNanos(), TimeUnit.NANOSECONDS);
                wakeups.clear();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void fire(Due due) {
        if (!store.lock(due.name(), token, lease)) {
            return; // another producer is firing it
        }
        boolean keepLock = false;
        try {
            Optional<Schedule> found = store.find(due.name());
            // Between reading the due set and the lock another producer may have fired the tick.
            if (found.isEmpty() || !due.tick().equals(store.nextTick(due.name()))) {
                return;
            }
            keepLock = fire(found.get(), due.tick());
        } finally {
            if (!keepLock) {
                store.unlock(due.name(), token);
            }
        }
    }

    /** @return true when the run was published but not recorded: the lock stays, so that no one publishes it again */
    private boolean fire(Schedule schedule, Instant tick) {
        Instant now = clock.instant();
        Duration late = Duration.between(tick, now);
        if (late.compareTo(properties.catchUp()) > 0) {
            @Nullable Instant next = schedule.trigger().nextAfter(now);
            if (store.advance(schedule.name(), tick, next, null, now)) {
                count(schedule, "skipped");
                log.warn("Schedule '{}': tick {} is {} late, more than bullpen.scheduler.catch-up ({}): skipped, with "
                        + "any ticks missed since; next tick {}", schedule.name(), tick, late, properties.catchUp(), next);
            }
            return false;
        }
        String taskId = tickSecret.ids().taskId(store.prefix(), schedule.name(), tick);
        try {
            publish(schedule, taskId, now);
        } catch (RuntimeException ex) {
            log.warn("Schedule '{}': tick {} (task {}) not published, retrying in {}: {}", schedule.name(), tick, taskId,
                    properties.pollInterval(), ex.getMessage());
            store.failed(schedule.name(), tick, String.valueOf(ex.getMessage()));
            count(schedule, "failed");
            return false;
        }
        Instant published = clock.instant();
        count(schedule, "published");
        boolean misfire = late.compareTo(properties.misfireThreshold()) > 0;
        // A misfire runs once for all the ticks missed: the next is the first after now, not after the tick.
        @Nullable Instant next = schedule.trigger().nextAfter(misfire ? published : tick);
        boolean recorded;
        try {
            recorded = store.advance(schedule.name(), tick, next, taskId, published);
        } catch (RuntimeException ex) {
            unrecorded.add(new Unrecorded(schedule.name(), tick, next, taskId, published));
            log.warn("Schedule '{}': tick {} was published as task {} but could not be recorded ({}); recording it "
                    + "before anything else fires", schedule.name(), tick, taskId, ex.toString());
            return true;
        }
        if (!recorded) {
            log.warn("Schedule '{}': tick {} was published as task {}, but the schedule was deleted or changed meanwhile",
                    schedule.name(), tick, taskId);
        } else if (misfire) {
            log.info("Schedule '{}': tick {} ran {} late as task {}, standing for any ticks missed since; next tick {}",
                    schedule.name(), tick, late, taskId, next);
        } else {
            log.debug("Schedule '{}': tick {} published as task {}", schedule.name(), tick, taskId);
        }
        return false;
    }

    /** Records the runs Redis missed, still under their lock; throws while Redis is still away. */
    private void recordUnrecorded() {
        for (Iterator<Unrecorded> runs = unrecorded.iterator(); runs.hasNext(); ) {
            Unrecorded run = runs.next();
            store.advance(run.name(), run.tick(), run.next(), run.taskId(), run.published());
            store.unlock(run.name(), token);
            runs.remove();
            log.info("Schedule '{}': tick {} (task {}) recorded", run.name(), run.tick(), run.taskId());
        }
    }

    private record Unrecorded(String name, Instant tick, @Nullable Instant next, String taskId, Instant published) {
    }

    private void publish(Schedule schedule, String taskId, Instant now) {
        TaskOptions options = TaskOptions.defaults().taskId(taskId).queue(schedule.queue()).priority(schedule.priority())
                .expires(schedule.expires() == null ? null : now.plus(schedule.expires()));
        List<JsonNode> args = new ArrayList<>(schedule.args().values());
        Map<String, JsonNode> kwargs = new LinkedHashMap<>();
        schedule.kwargs().properties().forEach(e -> kwargs.put(e.getKey(), e.getValue()));
        try {
            // No timeout here: sendAsync fails after the client's confirm timeout.
            client.sendAsync(schedule.task(), args, kwargs, options).get();
        } catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(ex.getCause());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", ex);
        }
    }

    private void count(Schedule schedule, String outcome) {
        meters.counter(MeterNames.SCHEDULE_TICKS, MeterNames.TAG_SCHEDULE, schedule.name(), MeterNames.TAG_OUTCOME,
                outcome).increment();
    }

    /** Config schedules are (re)written on every start; they keep their next tick while their trigger is the same. */
    private void syncConfig() {
        Instant now = clock.instant();
        for (Schedule schedule : configured) {
            store.save(schedule, now);
        }
        Set<String> names = configured.stream().map(Schedule::name).collect(Collectors.toSet());
        for (Schedule stored : store.all()) {
            if (stored.source() == Schedule.Source.CONFIG && !names.contains(stored.name())) {
                log.warn("Schedule '{}' came from bullpen.schedules but is not in this producer's; it keeps running "
                        + "until DELETE /api/schedules/{}", stored.name(), stored.name());
            }
        }
        if (!configured.isEmpty()) {
            log.info("Schedules from bullpen.schedules written to Redis: {}", names);
        }
        synced = true;
    }
}
