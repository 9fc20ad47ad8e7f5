package dev.bullpen.worker.internal;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** UP while the worker consumes its queues: a worker that cannot reach the broker is not healthy. */
final class WorkerHealthIndicator implements HealthIndicator {

    private final Worker worker;

    WorkerHealthIndicator(Worker worker) {
        this.worker = worker;
    }

    @Override
    public Health health() {
        Health.Builder health = worker.isConsuming() ? Health.up() : Health.down();
        health.withDetail("inFlight", worker.inFlight());
        String problem = worker.problem();
        if (problem != null) {
            health.withDetail("problem", problem);
        }
        return health.build();
    }
}
