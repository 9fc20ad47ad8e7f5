package dev.bullpen.bench;

import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.client.TaskOptions;
import dev.bullpen.result.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The chaos scenarios, each run against the {@link ChaosRig}: they share its broker, Redis and
 * workers, so a later scenario also proves the services came through the earlier ones.
 */
final class ChaosScenarios {

    static final String SLEEP = "demo.sleep";
    static final List<Double> TEN_MILLIS = List.of(0.01);

    private final ChaosRig rig;

    ChaosScenarios(ChaosRig rig) {
        this.rig = rig;
    }

    /**
     * kill -9 one of the workers while {@code tasks} tasks run, once a quarter have succeeded: every
     * task still succeeds, with at most one SUCCESS write each.
     */
    ScenarioResult killWorker(int tasks) throws Exception {
        String name = "kill -9 one of " + rig.workers().size() + " workers during " + String.format("%,d", tasks) + " " + SLEEP + "(0.01)";
        List<ServiceProcess> workers = rig.workers().stream().filter(ServiceProcess::isAlive).toList();
        if (workers.size() < 2) {
            throw new IllegalStateException("need two live workers, have " + workers.size());
        }
        ServiceProcess victim = workers.getLast();
        Instant start = Instant.now();
        List<String> failures = new ArrayList<>();
        Batch batch;
        int doneAtKill;
        long queuedAtKill;
        try (TaskClient client = rig.client()) {
            // Both workers stand still while the tasks are sent, so the queue is full when they run
            // on and the victim surely holds its prefetch when it dies, however fast they are.
            for (ServiceProcess worker : workers) {
                worker.freeze();
            }
            try {
                batch = Batch.send(client, tasks);
                batch.ids();
            } finally {
                for (ServiceProcess worker : workers) {
                    worker.thaw();
                }
            }
            doneAtKill = awaitAtLeast(batch.done::get, tasks / 4, Duration.ofSeconds(120));
            // Frozen, it acks nothing more; messages still queued then mean the broker had filled its
            // prefetch, so it dies holding messages it never acknowledged.
            victim.freeze();
            queuedAtKill = queued();
            victim.kill();
            batch.await(deadline(tasks));
        }
        long ranOnVictim = rig.ranOn(victim, batch.ids());
        if (doneAtKill >= tasks) {
            failures.add("every task had finished before the kill: nothing was killed mid-run");
        }
        if (queuedAtKill == 0) {
            failures.add("the queue was empty when the worker was killed, so it may have held nothing: use more tasks");
        }
        if (ranOnVictim == 0) {
            failures.add("the killed worker ran none of the tasks");
        }
        return outcome(name, start, batch.ids(), batch.ids().size(), 0, failures,
                "worker pid " + victim.pid() + " killed (SIGSTOP, then SIGKILL) when " + doneAtKill + " tasks had succeeded and "
                        + queuedAtKill + " were still queued, so it held a full prefetch; it had run " + ranOnVictim + ", the other worker ran the rest and the redelivered ones");
    }

    /** kill -9 Redis mid-run and start it again on its files: every task ends with its SUCCESS stored. */
    ScenarioResult restartRedis(int tasks, Duration outage) throws Exception {
        String name = "kill -9 and restart Redis during " + String.format("%,d", tasks) + " " + SLEEP + "(0.01)";
        Instant start = Instant.now();
        List<String> failures = new ArrayList<>();
        Batch batch;
        int doneAtKill;
        long down;
        try (TaskClient client = rig.client()) {
            batch = Batch.send(client, tasks);
            doneAtKill = awaitAtLeast(batch.done::get, tasks / 3, Duration.ofSeconds(120));
            long killed = System.nanoTime();
            rig.redis().kill();
            Thread.sleep(outage); // the outage itself, not a wait for something
            rig.redis().restart();
            down = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            batch.await(deadline(tasks));
        }
        if (doneAtKill >= tasks) {
            failures.add("every task had finished before Redis was killed");
        }
        return outcome(name, start, batch.ids(), batch.ids().size(), 0, failures,
                "Redis killed (SIGKILL) when " + doneAtKill + " tasks had succeeded, back after " + down
                        + " ms on the same append-only file (appendfsync always)");
    }

    /** Restarts the broker (kill -9, then start on the same data) during an HTTP submit loop: every 202 ends SUCCESS. */
    ScenarioResult restartBroker(int tasks) throws Exception {
        return new SubmitLoop(rig, tasks).run(this);
    }

    /**
     * The broker comes back with none of its data (a replaced node, a container without a volume):
     * what was queued is gone, but the services must carry on: the workers declare their queue again
     * and consume it, and tasks then submitted over HTTP get a 202 and run.
     */
    ScenarioResult restartBrokerEmpty(int tasks) throws Exception {
        String name = "kill -9 the broker, restart it without its data, then " + String.format("%,d", tasks) + " " + SLEEP
                + "(0.01) over HTTP";
        rig.broker().restartEmpty();
        Instant start = Instant.now();
        List<String> failures = new ArrayList<>();
        boolean declared = queueDeclaredWithin(Duration.ofSeconds(30));
        if (!declared) {
            failures.add("no worker declared " + ChaosRig.QUEUE + " again within 30 s of the broker coming back empty");
        }
        List<String> ids = new ArrayList<>();
        java.util.Map<Integer, Integer> refused = new java.util.TreeMap<>();
        for (int i = 0; i < tasks; i++) {
            SubmitLoop.Answer answer = SubmitLoop.submitOnce(rig);
            if (answer.status() == 202) {
                ids.add(answer.id());
            } else {
                refused.merge(answer.status(), 1, Integer::sum);
            }
        }
        if (!refused.isEmpty()) {
            failures.add("the producer refused " + refused.values().stream().mapToInt(Integer::intValue).sum() + " of " + tasks
                    + " submissions (status: count " + refused + ")");
        }
        List<CompletableFuture<?>> ready = ids.stream().<CompletableFuture<?>>map(id -> rig.results().whenReady(id)).toList();
        try {
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException ex) {
            ready.forEach(f -> f.cancel(false));
        }
        return outcome(name, start, ids, ids.size(), 0, failures, "the broker came back with an empty data directory; "
                + (declared ? "a worker declared " + ChaosRig.QUEUE + " again" : ChaosRig.QUEUE + " stayed undeclared")
                + "; the producer accepted " + ids.size() + " of " + tasks + " submissions");
    }

    /** Messages ready in the queue now. */
    private long queued() throws Exception {
        try (var connection = rig.endpoints().amqpFactory().newConnection("bullpen-chaos-probe");
             var channel = connection.createChannel()) {
            return channel.queueDeclarePassive(ChaosRig.QUEUE).getMessageCount();
        }
    }

    private boolean queueDeclaredWithin(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try (var connection = rig.endpoints().amqpFactory().newConnection("bullpen-chaos-probe");
                 var channel = connection.createChannel()) {
                channel.queueDeclarePassive(ChaosRig.QUEUE);
                return true;
            } catch (java.io.IOException notYet) {
                Thread.sleep(250);
            }
        }
        return false;
    }

    /** A poison message and a task that always throws both end in the dead-letter queue; the workers keep serving. */
    ScenarioResult deadLetters(int followUps) throws Exception {
        return new PoisonRun(rig, followUps).run(this);
    }

    /** The common columns: SUCCESS stored, lost, duplicate writes and reruns, over these task ids. */
    ScenarioResult outcome(String name, Instant start, Collection<String> ids, long accepted, long deadLettered,
            List<String> failures, String notes) throws Exception {
        long succeeded = ids.stream().map(id -> rig.results().get(id)).filter(r -> r.state() == TaskState.SUCCESS).count();
        long lost = accepted - succeeded - deadLettered;
        ResultWrites writes = rig.writes();
        long duplicates = writes.duplicates(ids);
        long unrecorded = ids.stream().filter(id -> writes.successWrites(id) == 0
                && rig.results().get(id).state() == TaskState.SUCCESS).count();
        long reruns = rig.ranMoreThanOnce(ids);
        List<String> all = new ArrayList<>(failures);
        if (lost != 0) {
            all.add(lost + " accepted task(s) have no SUCCESS stored, e.g. " + ids.stream()
                    .filter(id -> rig.results().get(id).state() != TaskState.SUCCESS).limit(3)
                    .map(id -> id + " " + rig.results().get(id).state()).toList());
        }
        if (unrecorded != 0) {
            all.add(unrecorded + " stored SUCCESS(es) missing from Redis's append-only file: the write counts cannot be trusted");
        }
        if (duplicates != 0) {
            all.add(duplicates + " SUCCESS write(s) over an already stored SUCCESS");
        }
        for (ServiceProcess worker : rig.workers()) {
            if (!worker.isAlive() && !worker.killed()) {
                all.add("worker " + worker.pid() + " died");
            }
        }
        return new ScenarioResult(name, accepted, succeeded, deadLettered, lost, duplicates, reruns,
                Duration.between(start, Instant.now()), List.copyOf(all), notes);
    }

    /** Long enough for the tasks, the outages and the redeliveries, with room to spare on a busy machine. */
    static Duration deadline(int tasks) {
        return Duration.ofSeconds(90 + tasks / 20);
    }

    /** Waits until the count reaches {@code target}; returns the count then. */
    static int awaitAtLeast(IntSupplier count, int target, Duration timeout) throws InterruptedException, TimeoutException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            int now = count.getAsInt();
            if (now >= target) {
                return now;
            }
            Thread.sleep(5);
        }
        throw new TimeoutException("count stayed below " + target + " for " + timeout);
    }

    /**
     * Tasks sent through {@link TaskClient} without waiting, with a count of those whose result has
     * arrived: the count grows while the rest are still being sent, so a scenario can strike mid-run.
     */
    static final class Batch {

        private static final java.util.concurrent.Executor WAITERS = Executors.newVirtualThreadPerTaskExecutor();

        final AtomicInteger done = new AtomicInteger();
        private final List<CompletableFuture<TaskHandle>> sent;
        private final List<CompletableFuture<?>> finished;

        private Batch(int tasks) {
            this.sent = new ArrayList<>(tasks);
            this.finished = new ArrayList<>(tasks);
        }

        static Batch send(TaskClient client, int tasks) {
            Batch batch = new Batch(tasks);
            for (int i = 0; i < tasks; i++) {
                CompletableFuture<TaskHandle> s = client.sendAsync(SLEEP, TEN_MILLIS, Map.of(), TaskOptions.defaults());
                batch.sent.add(s);
                // Off the client's confirm thread: the first wait subscribes to Redis synchronously.
                batch.finished.add(s.thenComposeAsync(TaskHandle::whenReady, WAITERS).thenRun(batch.done::incrementAndGet));
            }
            return batch;
        }

        /** The ids, once the broker confirmed every send; a refused send fails the scenario. */
        List<String> ids() throws Exception {
            List<String> ids = new ArrayList<>(sent.size());
            for (CompletableFuture<TaskHandle> s : sent) {
                ids.add(s.get(60, TimeUnit.SECONDS).id());
            }
            return List.copyOf(ids);
        }

        /** Waits for every result, or the deadline; what is missing then is counted as lost. */
        void await(Duration timeout) throws InterruptedException {
            try {
                CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException ex) {
                // counted by outcome(), from Redis itself
            }
        }
    }
}
