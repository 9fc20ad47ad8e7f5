package dev.bullpen.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Some worker processes on one queue, each of a fixed concurrency, all consuming before {@link #start} returns. */
final class WorkerFleet implements AutoCloseable {

    /** Every fleet not yet closed, for {@link #stopAll} when the run is interrupted. */
    private static final Set<WorkerFleet> LIVE = ConcurrentHashMap.newKeySet();

    private final List<ServiceProcess> workers;

    private WorkerFleet(List<ServiceProcess> workers) {
        this.workers = workers;
    }

    static WorkerFleet start(Path jar, Endpoints endpoints, String queue, String keyPrefix, int count, int concurrency)
            throws Exception {
        List<ServiceProcess> started = new ArrayList<>();
        WorkerFleet fleet = new WorkerFleet(started);
        LIVE.add(fleet);
        try {
            Instant launched = Instant.now();
            for (int i = 0; i < count; i++) {
                // Prefetch = concurrency: a worker that came up first must not hoard the chunks the
                // others could run, yet each of its slots has a message to start.
                started.add(ServiceProcess.worker(jar, endpoints, queue, keyPrefix, List.of(
                        "--bullpen.worker.concurrency=" + concurrency, "--bullpen.worker.prefetch=" + concurrency,
                        "--bullpen.worker.name=" + nodeName(i, queue), "-Xmx256m")));
            }
            for (ServiceProcess worker : started) {
                worker.awaitUp(Duration.ofSeconds(120), launched);
            }
            return fleet;
        } catch (Exception | Error ex) {
            fleet.close();
            throw ex;
        }
    }

    /** The node name of worker {@code i} of a fleet on {@code queue}. */
    static String nodeName(int i, String queue) {
        return "sweep-" + i + "-" + queue + "@bench";
    }

    /**
     * The direct queues ({@code <node>.dq2}, durable as Celery's {@code worker_direct}) that fleets of up
     * to {@code most} workers on {@code queue} leave behind, for the run to delete.
     */
    static List<String> directQueues(String queue, int most) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < most; i++) {
            names.add(nodeName(i, queue) + ".dq2");
        }
        return names;
    }

    /** Kills the worker processes of every fleet still open: the JVM does not stop its children when it exits. */
    static void stopAll() {
        for (WorkerFleet fleet : LIVE) {
            for (ServiceProcess worker : List.copyOf(fleet.workers)) {
                try {
                    worker.kill();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        LIVE.remove(this);
        for (ServiceProcess worker : workers) {
            worker.close();
        }
    }
}
