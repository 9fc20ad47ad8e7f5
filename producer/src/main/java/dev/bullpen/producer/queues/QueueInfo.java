package dev.bullpen.producer.queues;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** One queue as the broker last reported it. Rates are messages per second, over the broker's last sample. */
@Schema(description = "A queue's depth, consumers and rates")
record QueueInfo(
        String name,
        @Schema(description = "Messages waiting for a consumer") long ready,
        @Schema(description = "Messages delivered and not yet acknowledged; null when the management API is unavailable")
        @Nullable Long unacked,
        long consumers,
        @JsonProperty("publish_rate") @Schema(description = "Published per second") @Nullable Double publishRate,
        @JsonProperty("deliver_rate") @Schema(description = "Delivered per second") @Nullable Double deliverRate,
        @JsonProperty("ack_rate") @Schema(description = "Acknowledged per second") @Nullable Double ackRate) {
}
