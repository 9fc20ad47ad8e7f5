package dev.bullpen.producer.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.bullpen.worker.internal.topology.DeadLetters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a dead letter's headers, and the fresh message a replay sends. */
class DeadLetterTests {

    @Test
    void theHeaderNamesAreTheWorkers() {
        assertThat(DeadLetter.REASON).isEqualTo(DeadLetters.REASON);
        assertThat(DeadLetter.ORIGINAL_QUEUE).isEqualTo(DeadLetters.ORIGINAL_QUEUE);
        assertThat(DeadLetter.DEAD_AT).isEqualTo(DeadLetters.DEAD_AT);
        assertThat(DeadLetter.EXCEPTION).isEqualTo(DeadLetters.EXCEPTION);
        assertThat(DeadLetter.RETRIES).isEqualTo(DeadLetters.RETRIES);
    }

    @Test
    void readsTheHeadersAsTheBrokerHandsThemOver() {
        Map<String, Object> headers = new HashMap<>();
        headers.put("id", text("t-1"));
        headers.put("task", text("mail.send"));
        headers.put(DeadLetters.REASON, text("max retries exceeded"));
        headers.put(DeadLetters.EXCEPTION, text("java.io.IOException"));
        headers.put(DeadLetters.RETRIES, 5);
        headers.put(DeadLetters.DEAD_AT, text("2026-11-25T10:00:00Z"));
        headers.put(DeadLetters.ORIGINAL_QUEUE, text("celery"));

        DeadLetter letter = DeadLetter.of(new AMQP.BasicProperties.Builder().headers(headers).build());

        assertThat(letter).isEqualTo(new DeadLetter("t-1", "mail.send", "max retries exceeded", "java.io.IOException", 5,
                "2026-11-25T10:00:00Z", "celery"));
    }

    @Test
    void aMessageWithoutHeadersHasOnlyItsCorrelationId() {
        DeadLetter letter = DeadLetter.of(new AMQP.BasicProperties.Builder().correlationId("c-1").build());

        assertThat(letter.id()).isEqualTo("c-1");
        assertThat(letter.task()).isNull();
        assertThat(letter.retries()).isNull();
    }

    @Test
    void aReplayIsAFreshRunWithTheCallersHeaders() {
        Map<String, Object> headers = new HashMap<>();
        headers.put("id", text("t-1"));
        headers.put("retries", 5);
        headers.put("eta", text("2026-11-25T10:00:00+00:00"));
        headers.put("expires", text("2030-01-01T00:00:00+00:00"));
        headers.put("x-trace", text("abc"));
        headers.put(DeadLetters.REASON, text("max retries exceeded"));
        headers.put(DeadLetters.RETRIES, 5);
        headers.put("x-death", List.of());
        headers.put("x-first-death-queue", text("bullpen.delay.0"));
        AMQP.BasicProperties dead = new AMQP.BasicProperties.Builder().headers(headers).priority(3)
                .correlationId("t-1").expiration("1000").build();

        AMQP.BasicProperties fresh = DeadLetterQueues.fresh(dead);

        assertThat(fresh.getHeaders()).containsEntry("retries", 0).containsEntry("eta", null)
                .containsEntry("id", text("t-1")).containsEntry("expires", text("2030-01-01T00:00:00+00:00"))
                .containsEntry("x-trace", text("abc"))
                .doesNotContainKeys(DeadLetters.REASON, DeadLetters.RETRIES, "x-death", "x-first-death-queue");
        assertThat(fresh.getPriority()).isEqualTo(3);
        assertThat(fresh.getCorrelationId()).isEqualTo("t-1");
        assertThat(fresh.getExpiration()).isNull();
    }

    private static LongString text(String value) {
        return LongStringHelper.asLongString(value);
    }
}
