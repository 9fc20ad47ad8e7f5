package dev.bullpen.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.MalformedFrameException;
import com.rabbitmq.client.impl.AMQImpl;
import com.rabbitmq.client.impl.Frame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guard between the socket and the RabbitMQ Java client, read back with the client's own frame
 * and content header readers: what the client could read passes unchanged, what it could not is made
 * readable or marked, and a body over the limit never reaches it.
 */
@Timeout(20)
class FrameGuardStreamTests {

    static final int MAX_BODY = 1000;

    @Test
    void framesTheClientCanReadPassUnchangedByteForByte() throws Exception {
        byte[] wire = concat(frame(1, 1, new byte[] {0, 60, 0, 60, 1, 2, 3}), headerFrame(1, celeryHeaders(), 5),
                bodyFrame(1, "hello"), frame(8, 0, new byte[0]), headerFrame(2, null, 0));

        assertThat(readThroughGuard(wire)).isEqualTo(wire);
    }

    @Test
    void pythonsSixtyFourBitIntegersReadAsLongs() throws Exception {
        Map<String, Object> headers = celeryHeaders();
        headers.put("tenant_id", 5_000_000_000L);
        headers.put("nested", Map.of("big", 1L << 62, "list", List.of(-(1L << 40))));
        byte[] wire = pythonLongs(headerFrame(1, headers, 0));
        assertThatThrownBy(() -> readHeaders(wire)).as("what the client does without the guard")
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("Unrecognised type in table");

        AMQP.BasicProperties props = readHeaders(readThroughGuard(wire)).getFirst();

        assertThat(props.getHeaders().get("tenant_id")).isEqualTo(5_000_000_000L);
        assertThat(((Map<?, ?>) props.getHeaders().get("nested")).get("big")).isEqualTo(1L << 62);
        assertThat(((Map<?, ?>) props.getHeaders().get("nested")).get("list")).isEqualTo(List.of(-(1L << 40)));
        assertThat(props.getHeaders().get("task").toString()).isEqualTo("demo.add");
    }

    @Test
    void aValueOfAnUnknownTypeKeepsTheEntriesBeforeItAndSaysWhy() throws Exception {
        Map<String, Object> headers = celeryHeaders();
        headers.put("weird", "marker-value");
        headers.put("after", "lost");
        byte[] wire = retag(headerFrame(1, headers, 0), "weird", (byte) 'Z');

        // The client writes a table in its map's order: the entries on the wire before 'weird' are kept.
        List<String> before = headers.keySet().stream().filter(name -> at(wire, name) < at(wire, "weird")).toList();
        List<String> after = headers.keySet().stream().filter(name -> at(wire, name) >= at(wire, "weird")).toList();

        AMQP.BasicProperties props = readHeaders(readThroughGuard(wire)).getFirst();

        assertThat(props.getHeaders().keySet()).containsAll(before).contains(GuardedSocketFactory.UNREADABLE_HEADERS)
                .doesNotContainAnyElementsOf(after).hasSize(before.size() + 1);
        assertThat(props.getHeaders().get(GuardedSocketFactory.UNREADABLE_HEADERS).toString())
                .isEqualTo("header 'weird' has the field type 'Z' (0x5a), which the AMQP client cannot read");
        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getCorrelationId()).isEqualTo("task-1");
        assertThat(props.getDeliveryMode()).isEqualTo(2);
    }

    @Test
    void tablesNestedPastTheLimitAreUnreadableRatherThanOverflowTheClientsStack() throws Exception {
        Object deep = "bottom";
        for (int i = 0; i < FieldTables.MAX_DEPTH + 5; i++) {
            deep = Map.of("d", deep);
        }
        Map<String, Object> headers = celeryHeaders();
        headers.put("deep", deep);

        AMQP.BasicProperties props = readHeaders(readThroughGuard(headerFrame(1, headers, 0))).getFirst();

        assertThat(props.getHeaders().get(GuardedSocketFactory.UNREADABLE_HEADERS).toString())
                .contains("header 'deep' nests tables or arrays deeper than");
    }

    @Test
    void controlCharactersInANameAreEscapedInTheReason() throws Exception {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("evil\nname", "x");
        byte[] wire = retag(headerFrame(1, headers, 0), "evil\nname", (byte) 0x01);

        AMQP.BasicProperties props = readHeaders(readThroughGuard(wire)).getFirst();

        assertThat(props.getHeaders().get(GuardedSocketFactory.UNREADABLE_HEADERS).toString())
                .startsWith("header 'evil\\x0aname' has the field type '\\x01'");
    }

    @Test
    void aBodyOverTheLimitArrivesEmptyWithItsSizeAndItsFramesNeverReachTheClient() throws Exception {
        byte[] big = new byte[MAX_BODY * 3];
        byte[] wire = concat(headerFrame(1, celeryHeaders(), big.length), bodyFrame(1, big, 0, 1000),
                headerFrame(2, null, 2), bodyFrame(2, "ok"), // another channel's message, between the big one's frames
                bodyFrame(1, big, 1000, 2000), headerFrame(1, null, 3), bodyFrame(1, "yes"));

        List<Frame> frames = frames(readThroughGuard(wire));

        assertThat(frames).extracting(f -> f.type + "@" + f.channel).containsExactly("2@1", "2@2", "3@2", "2@1", "3@1");
        AMQP.BasicProperties dropped = (AMQP.BasicProperties) AMQImpl.readContentHeaderFrom(frames.get(0).getInputStream());
        assertThat(dropped.getBodySize()).isZero();
        assertThat(dropped.getHeaders()).containsEntry(GuardedSocketFactory.DROPPED_BODY_BYTES, (long) big.length)
                .containsKey("task");
        assertThat(new String(frames.get(4).getPayload(), StandardCharsets.UTF_8)).isEqualTo("yes");
    }

    @Test
    void aMessageWithoutHeadersGainsATableToSayItsBodyWasDropped() throws Exception {
        AMQP.BasicProperties props = readHeaders(readThroughGuard(concat(headerFrame(1, null, MAX_BODY + 1),
                bodyFrame(1, new byte[MAX_BODY + 1], 0, MAX_BODY + 1)))).getFirst();

        assertThat(props.getHeaders()).containsExactly(Map.entry(GuardedSocketFactory.DROPPED_BODY_BYTES, MAX_BODY + 1L));
        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getCorrelationId()).isEqualTo("task-1");
    }

    @Test
    void aReadThatTimesOutAnywhereGoesOnWhereItStopped() throws Exception {
        Map<String, Object> headers = celeryHeaders();
        headers.put("tenant_id", 5_000_000_000L);
        byte[] wire = concat(pythonLongs(headerFrame(1, headers, 5)), bodyFrame(1, "hello"),
                headerFrame(1, null, MAX_BODY * 2), bodyFrame(1, new byte[MAX_BODY * 2], 0, MAX_BODY * 2),
                frame(8, 0, new byte[0]));
        byte[] expected = readThroughGuard(wire);

        FrameGuardStream guard = new FrameGuardStream(new TimingOut(wire), MAX_BODY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[3];
        int timeouts = 0;
        while (true) {
            int n;
            try {
                n = guard.read(buffer, 0, buffer.length);
            } catch (SocketTimeoutException ex) {
                timeouts++;
                continue;
            }
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
        }

        assertThat(timeouts).isGreaterThan(50);
        assertThat(out.toByteArray()).isEqualTo(expected);
    }

    @Test
    void aBrokersProtocolHeaderPassesAsItCame() throws Exception {
        byte[] wire = "AMQP\0\0\u0009\u0001".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(readThroughGuard(wire)).isEqualTo(wire);
    }

    // --- frames as the broker sends them, made with the client's own writer ---

    static Map<String, Object> celeryHeaders() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("lang", "py");
        headers.put("task", "demo.add");
        headers.put("id", "task-1");
        headers.put("retries", 0);
        headers.put("timelimit", List.of(30, 20));
        return headers;
    }

    static byte[] headerFrame(int channel, Map<String, Object> headers, long bodySize) throws IOException {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                .contentEncoding("utf-8").headers(headers).deliveryMode(2).correlationId("task-1").build();
        return bytes(props.toFrame(channel, bodySize));
    }

    static byte[] bodyFrame(int channel, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bodyFrame(channel, bytes, 0, bytes.length);
    }

    static byte[] bodyFrame(int channel, byte[] body, int from, int to) throws IOException {
        return frame(3, channel, java.util.Arrays.copyOfRange(body, from, to));
    }

    static byte[] frame(int type, int channel, byte[] payload) throws IOException {
        return bytes(new Frame(type, channel, payload));
    }

    static byte[] bytes(Frame frame) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frame.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }

    /** What py-amqp sends: its 64-bit integers tagged {@code L} where the Java client writes {@code l}. */
    static byte[] pythonLongs(byte[] frame) {
        byte[] out = frame.clone();
        for (String name : List.of("tenant_id", "big")) {
            if (new String(out, StandardCharsets.ISO_8859_1).contains(name)) {
                retagInPlace(out, name, (byte) 'L');
            }
        }
        // The array's element has no name: it is the only 'l' right after an array's length.
        for (int i = 0; i + 5 < out.length; i++) {
            if (out[i] == 'A' && out[i + 5] == 'l' && out[i + 1] == 0 && out[i + 2] == 0 && out[i + 3] == 0) {
                out[i + 5] = 'L';
            }
        }
        return out;
    }

    static byte[] retag(byte[] frame, String name, byte tag) {
        byte[] out = frame.clone();
        retagInPlace(out, name, tag);
        return out;
    }

    /** Sets the type tag of the value that follows the field name {@code name}. */
    static void retagInPlace(byte[] frame, String name, byte tag) {
        frame[at(frame, name) + name.getBytes(StandardCharsets.UTF_8).length] = tag;
    }

    /** Where the field name {@code name} is in a frame. */
    static int at(byte[] frame, String name) {
        byte[] needle = name.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 1; i + needle.length < frame.length; i++) {
            if ((frame[i - 1] & 0xff) != needle.length) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (frame[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException(name + " is not in the frame");
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] readThroughGuard(byte[] wire) throws IOException {
        try (InputStream guard = new FrameGuardStream(new ByteArrayInputStream(wire), MAX_BODY)) {
            return guard.readAllBytes();
        }
    }

    static List<Frame> frames(byte[] wire) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire));
        List<Frame> frames = new ArrayList<>();
        while (in.available() > 0) {
            frames.add(Frame.readFrom(in, Integer.MAX_VALUE));
        }
        return frames;
    }

    /** The content headers among the frames, read as the client reads them. */
    static List<AMQP.BasicProperties> readHeaders(byte[] wire) throws IOException {
        List<AMQP.BasicProperties> out = new ArrayList<>();
        for (Frame frame : frames(wire)) {
            if (frame.type == 2) {
                out.add((AMQP.BasicProperties) AMQImpl.readContentHeaderFrom(frame.getInputStream()));
            }
        }
        return out;
    }

    /** A socket's stream that times out every other read, and gives at most 2 bytes a read. */
    static final class TimingOut extends InputStream {
        private final ByteArrayInputStream in;
        private int reads;

        TimingOut(byte[] bytes) {
            this.in = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (reads++ % 2 == 0) {
                throw new SocketTimeoutException("Read timed out");
            }
            return in.read(b, off, Math.min(len, 2));
        }
    }
}
