package dev.bullpen.worker.internal.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.worker.internal.consume.DeliveryTags.Ack;
import dev.bullpen.worker.internal.consume.DeliveryTags.Nack;
import dev.bullpen.worker.internal.consume.DeliveryTags.Send;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DeliveryTagsTests {

    private final DeliveryTags tags = new DeliveryTags();

    private void deliver(long from, long to) {
        for (long t = from; t <= to; t++) {
            tags.delivered(t);
        }
    }

    @Test
    void aLoneSettledTagIsAckedOnItsOwn() {
        deliver(1, 1);
        tags.ack(1);

        assertThat(tags.take(false)).containsExactly(new Ack(1, false, 1));
        assertThat(tags.open()).isZero();
    }

    @Test
    void settledTagsFromTheLowestOpenOneGoInOneMultipleAck() {
        deliver(1, 5);
        tags.ack(3);
        tags.ack(2);
        tags.ack(1);

        assertThat(tags.take(false)).containsExactly(new Ack(3, true, 3));
        assertThat(tags.open()).isEqualTo(2);
    }

    @Test
    void nothingIsAckedWhileALowerTagIsStillOpen() {
        deliver(1, 3);
        tags.ack(2);
        tags.ack(3);

        assertThat(tags.sendable()).isFalse();
        assertThat(tags.take(false)).isEmpty();
        assertThat(tags.waiting()).isTrue();

        tags.ack(1);
        assertThat(tags.sendable()).isTrue();
        assertThat(tags.take(false)).containsExactly(new Ack(3, true, 3));
        assertThat(tags.waiting()).isFalse();
    }

    @Test
    void stragglersGoOneByOneAndTheOpenTagStaysOpen() {
        deliver(1, 4);
        tags.ack(2);
        tags.ack(4);

        assertThat(tags.take(true)).containsExactly(new Ack(2, false, 1), new Ack(4, false, 1));
        assertThat(tags.waiting()).isFalse();
        assertThat(tags.open()).isEqualTo(2);

        tags.ack(3);
        assertThat(tags.take(false)).isEmpty(); // 1 is still open
        tags.ack(1);
        // 2 and 4 are acked already, so one multiple ack of 3 settles exactly 1 and 3.
        assertThat(tags.take(false)).containsExactly(new Ack(3, true, 2));
    }

    @Test
    void nacksGoFirstAndOneByOneAndDoNotHoldBackLaterAcks() {
        deliver(1, 4);
        tags.ack(3);
        tags.nack(2);
        tags.ack(1);
        tags.nack(4);

        assertThat(tags.take(false)).containsExactly(new Nack(2), new Nack(4), new Ack(3, true, 2));
        assertThat(tags.open()).isZero();
    }

    @Test
    void anAckCoveringANackIsNeverSentBeforeIt() {
        deliver(1, 3);
        tags.nack(1);
        tags.ack(2);
        tags.ack(3);

        List<Send> sends = tags.take(false);
        assertThat(sends).containsExactly(new Nack(1), new Ack(3, true, 2));
    }

    /**
     * Random deliveries, outcomes in random order, takes in between, replayed against a model of the
     * broker's unacknowledged tags: a delivery is acked only after its own ack was settled, nacked only
     * when nacked, and every delivery is settled exactly once in the end.
     */
    @Test
    void replayedAgainstTheBrokerNothingIsAckedEarlyAndEverythingIsSettledOnce() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            Broker broker = new Broker();
            DeliveryTags t = new DeliveryTags();
            List<Long> running = new ArrayList<>();
            int total = 1 + random.nextInt(80);
            long next = 1;
            while (next <= total || !running.isEmpty()) {
                int move = random.nextInt(4);
                if (move == 0 && next <= total) {
                    t.delivered(next);
                    broker.open.add(next);
                    running.add(next++);
                } else if (move == 1 && !running.isEmpty()) {
                    long tag = running.remove(random.nextInt(running.size()));
                    if (random.nextInt(5) == 0) {
                        t.nack(tag);
                        broker.mayNack.add(tag);
                    } else {
                        t.ack(tag);
                        broker.mayAck.add(tag);
                    }
                } else {
                    broker.apply(t.take(random.nextInt(3) == 0));
                }
            }
            broker.apply(t.take(false));
            broker.apply(t.take(true));
            assertThat(broker.open).isEmpty();
            assertThat(broker.acked).isEqualTo(broker.mayAck);
            assertThat(broker.nacked).isEqualTo(broker.mayNack);
            assertThat(t.open()).isZero();
            assertThat(t.waiting()).isFalse();
        }
    }

    /** What RabbitMQ does with a channel's acks and nacks. */
    private static final class Broker {
        final TreeSet<Long> open = new TreeSet<>();
        final Set<Long> mayAck = new HashSet<>();
        final Set<Long> mayNack = new HashSet<>();
        final Set<Long> acked = new HashSet<>();
        final Set<Long> nacked = new HashSet<>();

        void apply(List<Send> sends) {
            for (Send send : sends) {
                switch (send) {
                    case Ack ack -> {
                        assertThat(open).as("ack of an unknown tag").contains(ack.tag());
                        List<Long> covered = ack.multiple() ? List.copyOf(open.headSet(ack.tag(), true)) : List.of(ack.tag());
                        assertThat(covered).hasSize(ack.count());
                        for (long c : covered) {
                            assertThat(mayAck).as("tag %d acked before its outcome was stored", c).contains(c);
                            open.remove(c);
                            assertThat(acked.add(c)).isTrue();
                        }
                    }
                    case Nack nack -> {
                        assertThat(mayNack).contains(nack.tag());
                        assertThat(open.remove(nack.tag())).isTrue();
                        assertThat(nacked.add(nack.tag())).isTrue();
                    }
                }
            }
        }
    }
}
