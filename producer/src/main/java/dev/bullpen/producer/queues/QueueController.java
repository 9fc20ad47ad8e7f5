package dev.bullpen.producer.queues;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lists the task queues with their depth, consumers and rates. */
@RestController
@RequestMapping("/api/queues")
@Tag(name = "Queues", description = "Depth, consumers and rates of the task queues and their dead-letter queues")
class QueueController {

    private final QueueMonitor monitor;

    QueueController(QueueMonitor monitor) {
        this.monitor = monitor;
    }

    @GetMapping
    @Operation(summary = "List queues",
            description = "As last read from the broker (every bullpen.monitor.queue-poll-interval), sorted by name. "
                    + "unacked and the rates need RabbitMQ's management plugin; without it they are null.")
    List<QueueInfo> list() {
        return monitor.queues();
    }
}
