package dev.bullpen.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Some worker processes on one queue, each of a fixed concurrency, all consuming before {@link #start} returns. */
final class WorkerFleet implements AutoCloseable {

    private final List<ServiceProcess> workers;

    private WorkerFleet(List<ServiceProcess> workers) {
        this.workers = workers;
    }

    static WorkerFleet start(Path jar, Endpoints endpoints, String queue, String keyPrefix, int count, int concurrency)
            throws Exception {
        List<ServiceProcess> started = new ArrayList<>();
        WorkerFleet fleet = new WorkerFleet(started);
        try {
            Instant launched = Instant.now();
            for (int i = 0; i < count; i++) {
                // Prefetch 1: a worker that came up first must not hoard the chunks the others could run.
                started.add(ServiceProcess.worker(jar, endpoints, queue, keyPrefix, List.of(
                        "--bullpen.worker.concurrency=" + concurrency, "--bullpen.worker.prefetch=1",
                        "--bullpen.worker.name=sweep-" + i + "-" + queue + "@bench", "-Xmx256m")));
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

    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess worker : workers) {
            worker.close();
        }
    }
}
