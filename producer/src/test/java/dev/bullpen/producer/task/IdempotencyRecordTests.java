package dev.bullpen.producer.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.bullpen.producer.task.IdempotencyRecord.Pending;
import dev.bullpen.producer.task.IdempotencyRecord.Published;
import dev.bullpen.producer.task.IdempotentSubmits.Verdict;
import org.junit.jupiter.api.Test;

class IdempotencyRecordTests {

    @Test
    void encodesAndDecodesBothStates() {
        Pending pending = new Pending("order-42", "f1", "c1");
        Published published = new Published("order-42", "f1");

        assertThat(IdempotencyRecord.encode(pending))
                .isEqualTo("{\"state\":\"pending\",\"claim\":\"c1\",\"id\":\"order-42\",\"fingerprint\":\"f1\"}");
        assertThat(IdempotencyRecord.decode(IdempotencyRecord.encode(pending))).isEqualTo(pending);
        assertThat(IdempotencyRecord.decode(IdempotencyRecord.encode(published))).isEqualTo(published);
    }

    @Test
    void refusesWhatIsNotARecordRatherThanGuessing() {
        for (String junk : new String[] {"nope", "{}", "{\"state\":\"pending\",\"id\":\"x\",\"fingerprint\":\"f\"}",
                "{\"state\":\"done\",\"id\":\"x\",\"fingerprint\":\"f\"}", "{\"state\":\"published\",\"id\":1,\"fingerprint\":\"f\"}"}) {
            assertThatIllegalStateException().isThrownBy(() -> IdempotencyRecord.decode(junk))
                    .withMessageContaining("not an idempotency record");
        }
    }

    @Test
    void aDuplicateReplaysOnlyAPublishedTaskOfTheSameBody() {
        assertThat(IdempotentSubmits.verdict(new Published("id", "f1"), "f1")).isEqualTo(Verdict.REPLAY);
        assertThat(IdempotentSubmits.verdict(new Pending("id", "f1", "c"), "f1")).isEqualTo(Verdict.WAIT);
        assertThat(IdempotentSubmits.verdict(null, "f1")).isEqualTo(Verdict.GONE);
    }

    @Test
    void anotherBodyIsAMismatchWhateverTheState() {
        assertThat(IdempotentSubmits.verdict(new Published("id", "f1"), "f2")).isEqualTo(Verdict.MISMATCH);
        assertThat(IdempotentSubmits.verdict(new Pending("id", "f1", "c"), "f2")).isEqualTo(Verdict.MISMATCH);
    }
}
