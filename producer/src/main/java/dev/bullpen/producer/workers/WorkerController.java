package dev.bullpen.producer.workers;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lists the live workers. */
@RestController
@RequestMapping("/api/workers")
@Tag(name = "Workers", description = "The workers that are alive, from their heartbeats")
class WorkerController {

    private final WorkerDirectory directory;

    WorkerController(WorkerDirectory directory) {
        this.directory = directory;
    }

    @GetMapping
    @Operation(summary = "List live workers",
            description = "Every worker, Bullpen or Python Celery (with -E), whose heartbeat arrived within "
                    + "bullpen.monitor.worker-expiry, sorted by name.")
    List<WorkerInfo> list() {
        return directory.alive();
    }
}
