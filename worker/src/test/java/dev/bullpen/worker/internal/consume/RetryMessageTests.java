package dev.bullpen.worker.internal.consume;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import dev.bullpen.protocol.TaskMessage;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.protocol.TaskMessageCodec;
import dev.bullpen.protocol.TimeLimit;
import dev.bullpen.protocol.WireTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A retry is the same message, one retry further, with an ETA; everything else is kept. */
class RetryMessageTests {

    final TaskMessageCodec codec = new TaskMessageCodec();

    @Test
    void countsUpRetriesSetsTheEtaAndKeepsTheRest() {
        OffsetDateTime expires = OffsetDateTime.of(2030, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        TaskMessage original = TaskMessageBuilder.of("t.retry", "id-1")
                .retries(2).expires(expires).rootId("root").parentId("parent").group("g", 1)
                .timeLimit(new TimeLimit(30.0, 20.0)).priority(4).header("x-trace", "abc").build();
        OffsetDateTime eta = OffsetDateTime.of(2029, 6, 1, 12, 0, 0, 0, ZoneOffset.UTC);

        AMQP.BasicProperties retry = RetryMessage.next(codec.properties(original), 2, eta);
        TaskMessage next = codec.decode(retry, codec.body(original));

        assertThat(next.id()).isEqualTo("id-1");
        assertThat(next.headers().retries()).isEqualTo(3);
        assertThat(next.headers().eta()).isEqualTo(eta);
        assertThat(retry.getHeaders().get("eta")).isEqualTo(WireTime.format(eta));
        assertThat(next.headers().expires()).isEqualTo(expires);
        assertThat(next.headers().rootId()).isEqualTo("root");
        assertThat(next.headers().parentId()).isEqualTo("parent");
        assertThat(next.headers().group()).isEqualTo("g");
        assertThat(next.headers().timeLimit()).isEqualTo(new TimeLimit(30.0, 20.0));
        assertThat(next.headers().extra()).containsEntry("x-trace", "abc");
        assertThat(retry.getPriority()).isEqualTo(4);
        assertThat(retry.getCorrelationId()).isEqualTo("id-1");
    }
}
