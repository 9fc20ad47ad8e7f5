package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class WorkerPingTests {

    @Test
    void aPingIsKombusMailboxMessageWithATicketAndAReplyTo() {
        JsonNode everyone = WorkerPing.request("oid-1", "ticket-1", null);

        assertThat(everyone.toString()).isEqualTo("{\"method\":\"ping\",\"arguments\":{},\"destination\":null,"
                + "\"pattern\":null,\"matcher\":null,\"ticket\":\"ticket-1\","
                + "\"reply_to\":{\"exchange\":\"reply.celery.pidbox\",\"routing_key\":\"oid-1\"}}");
        JsonNode some = WorkerPing.request("oid-1", "ticket-1", "*@host-1");
        assertThat(some.path("pattern").asString()).isEqualTo("*@host-1");
        assertThat(some.path("matcher").asString()).isEqualTo("glob");
    }

    @Test
    void onlyPongsCount() {
        assertThat(WorkerPing.pongs(bytes("{\"w1@h\": {\"ok\": \"pong\"}}"))).containsExactly("w1@h");
        assertThat(WorkerPing.pongs(bytes("{\"w1@h\": {\"error\": \"no\"}}"))).isEmpty();
        assertThat(WorkerPing.pongs(bytes("not json"))).isEmpty();
    }

    @Test
    void directQueuesAreNamedAsCelerysWorkerDirect() {
        assertThat(BrokerTopology.directQueue("bullpen@host-1")).isEqualTo("bullpen@host-1.dq2");
        assertThat(BrokerTopology.DIRECT_EXCHANGE).isEqualTo("C.dq2");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
