package dev.bullpen.producer.workers;

import java.util.List;

/**
 * The workers alive now by their heartbeats, by node name: what {@code GET /api/workers} lists. A
 * worker is alive from its {@code worker-online} or a heartbeat until its {@code worker-offline} or
 * {@code bullpen.monitor.worker-expiry} without one.
 */
public interface LiveWorkers {

    /** Whether a worker of this node name is alive. */
    boolean isAlive(String name);

    /** The node names of the live workers, sorted. */
    List<String> names();
}
