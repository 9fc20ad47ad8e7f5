package dev.bullpen.worker.internal.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import dev.bullpen.protocol.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading kombu's mailbox messages, deciding which node they are for, and the reply's wire form. */
class ControlRequestTests {

    static ControlRequest parse(String json) {
        return ControlRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsACallAsKombuSendsIt() {
        // As Celery 5.2's app.control.inspect(destination=[...]).registered() publishes it.
        ControlRequest request = parse("""
                {"method": "registered", "arguments": {"taskinfoitems": []}, "destination": ["w1@h"],
                 "pattern": null, "matcher": null, "ticket": "7c109418-a537-4de0-8138-d72be9eab82f",
                 "reply_to": {"exchange": "reply.celery.pidbox", "routing_key": "0b6c5c1e-oid"}}""");

        assertThat(request.method()).isEqualTo("registered");
        assertThat(request.arguments().path("taskinfoitems").isArray()).isTrue();
        assertThat(request.destination()).containsExactly("w1@h");
        assertThat(request.ticket()).isEqualTo("7c109418-a537-4de0-8138-d72be9eab82f");
        assertThat(request.replyTo()).isEqualTo(new ControlRequest.ReplyTo("reply.celery.pidbox", "0b6c5c1e-oid"));
    }

    @Test
    void aCastHasNoReplyToAndNullArgumentsAreEmpty() {
        // AsyncResult.revoke() without wait: no ticket, no reply_to.
        ControlRequest revoke = parse("""
                {"method": "revoke", "arguments": {"task_id": "abc", "terminate": false, "signal": "SIGTERM"},
                 "destination": null, "pattern": null, "matcher": null}""");
        ControlRequest bare = parse("{\"method\": \"ping\", \"arguments\": null}");

        assertThat(revoke.replyTo()).isNull();
        assertThat(revoke.ticket()).isNull();
        assertThat(revoke.destination()).isNull();
        assertThat(bare.arguments().isEmpty()).isTrue();
    }

    @Test
    void noDestinationOrAnEmptyOneMeansEveryNode() {
        assertThat(parse("{\"method\": \"ping\", \"destination\": null}").isFor("any@host")).isTrue();
        assertThat(parse("{\"method\": \"ping\", \"destination\": []}").isFor("any@host")).isTrue();
        assertThat(parse("{\"method\": \"ping\"}").isFor("any@host")).isTrue();
    }

    @Test
    void aDestinationNamesTheNodesExactly() {
        ControlRequest request = parse("{\"method\": \"ping\", \"destination\": [\"w1@h\", \"w2@h\"]}");

        assertThat(request.isFor("w1@h")).isTrue();
        assertThat(request.isFor("w2@h")).isTrue();
        assertThat(request.isFor("w1@h2")).isFalse();
        assertThat(request.isFor("w1")).isFalse();
    }

    @Test
    void aPatternWithAMatcherPicksNodesWhenThereIsNoDestination() {
        String glob = "{\"method\": \"ping\", \"pattern\": \"bullpen@*\", \"matcher\": \"glob\"}";
        String pcre = "{\"method\": \"ping\", \"pattern\": \"bull(pen)?@h\", \"matcher\": \"pcre\"}";

        assertThat(parse(glob).isFor("bullpen@host-1")).isTrue();
        assertThat(parse(glob).isFor("celery@host-1")).isFalse();
        assertThat(parse(pcre).isFor("bullpen@h2")).as("re.match anchors at the start only").isTrue();
        assertThat(parse(pcre).isFor("xbullpen@h")).isFalse();
        assertThat(parse("{\"method\": \"ping\", \"pattern\": \"x\", \"matcher\": \"nosuch\"}").isFor("x")).isFalse();
        assertThat(parse("{\"method\": \"ping\", \"pattern\": \"x\", \"destination\": [\"y\"], \"matcher\": \"glob\"}")
                .isFor("x")).as("the destination wins").isFalse();
    }

    @Test
    void globsAreFnmatch() {
        assertThat("w1@h").matches(ControlRequest.globToRegex("w?@h"));
        assertThat("w1@h").matches(ControlRequest.globToRegex("w[0-9]@h"));
        assertThat("wx@h").doesNotMatch(ControlRequest.globToRegex("w[!x]@h"));
        assertThat("a.b").doesNotMatch(ControlRequest.globToRegex("a?c")).matches(ControlRequest.globToRegex("a.b"));
        assertThat("a+b(c)").matches(ControlRequest.globToRegex("a+b(*)"));
    }

    @Test
    void whatIsNotAControlMessageSaysWhy() {
        assertThatThrownBy(() -> parse("not json")).isInstanceOf(MalformedMessageException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> parse("[1]")).isInstanceOf(MalformedMessageException.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("{\"arguments\": {}}")).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("no method");
        assertThatThrownBy(() -> parse("{\"method\": \"ping\", \"arguments\": [1]}"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("arguments are not an object");
        assertThatThrownBy(() -> parse("{\"method\": \"ping\", \"reply_to\": {\"exchange\": \"x\"}}"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("routing_key");
    }

    @Test
    void aReplyIsTransientJsonWithTheTicketAndClockHeaders() {
        AMQP.BasicProperties props = Pidbox.replyProperties("t-1", 42);
        byte[] body = Pidbox.replyBody("w1@h", ControlCommands.ok("pong"));

        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getContentEncoding()).isEqualTo("utf-8");
        assertThat(props.getDeliveryMode()).isEqualTo(1);
        assertThat(props.getHeaders()).containsEntry("ticket", "t-1").containsEntry("clock", 42L);
        assertThat(Pidbox.replyProperties(null, 1).getHeaders()).as("no null ticket, which kombu would not match")
                .doesNotContainKey("ticket");
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"w1@h\":{\"ok\":\"pong\"}}");
    }

    @Test
    void aDestinationGivenAsOneNameIsThatName() {
        assertThat(parse("{\"method\": \"ping\", \"destination\": \"w1@h\"}").destination()).isEqualTo(List.of("w1@h"));
    }
}
