package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The revoke message as kombu's {@code Mailbox._publish} writes it (compared with a real one in RevokeBroadcastIntegrationTests). */
class RevokeBroadcastTests {

    @Test
    void theBodyIsCeleryControlRevokeForEveryNode() {
        assertThat(RevokeBroadcast.body("abc", true).toString()).isEqualTo("{\"method\":\"revoke\",\"arguments\":"
                + "{\"task_id\":\"abc\",\"terminate\":true,\"signal\":\"SIGTERM\"},\"destination\":null,\"pattern\":null,"
                + "\"matcher\":null}");
        assertThat(RevokeBroadcast.body("abc", false).path("arguments").path("terminate").asBoolean(true)).isFalse();
    }

    @Test
    void thePropertiesCarryTheClockAndExpiresOneSecondAfterSending() {
        AMQP.BasicProperties props = RevokeBroadcast.properties(7, Instant.ofEpochMilli(1_700_000_000_250L));

        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getContentEncoding()).isEqualTo("utf-8");
        assertThat(props.getDeliveryMode()).isEqualTo(2);
        assertThat(props.getPriority()).isZero();
        assertThat(props.getHeaders()).containsEntry("clock", 7L).containsEntry("expires", 1_700_000_001.25);
        assertThat(props.getExpiration()).as("no TTL: kombu sets none").isNull();
    }
}
