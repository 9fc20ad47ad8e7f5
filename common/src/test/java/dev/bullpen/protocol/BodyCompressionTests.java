package dev.bullpen.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.impl.LongStringHelper;
import dev.bullpen.test.Captures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bodies compressed as kombu/compression.py does it. */
class BodyCompressionTests {

    private static final String BODY = "[[2, 3], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]";

    private final TaskMessageCodec codec = new TaskMessageCodec();

    private static byte[] zlib(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private TaskMessage decode(@Nullable String compression, byte[] body) {
        Map<String, @Nullable Object> headers = Captures.messages().getFirst().amqpHeaders();
        headers.put("compression", compression == null ? null : LongStringHelper.asLongString(compression));
        return codec.decode(headers, DeliveryProperties.defaults("x"), body);
    }

    @Test
    void pythonsZlibCompressOutputInflates() {
        // zlib.compress(b'[[2, 3], {}, {...}]') from Python, in the 5.3 fixture.
        byte[] python = Captures.message53("compressed_zlib").bodyBytes();

        assertThat(python[0]).isEqualTo((byte) 0x78); // a zlib header, not gzip's 1f 8b
        assertThat(new String(BodyCompression.inflate("application/x-gzip", python), StandardCharsets.UTF_8)).isEqualTo(BODY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-gzip", "zlib", "gzip", "application/zlib", "Application/X-Gzip "})
    void kombusNamesAndAliasesAllMeanZlib(String compression) throws IOException {
        TaskMessage m = decode(compression, zlib(BODY.getBytes(StandardCharsets.UTF_8)));

        assertThat(m.args().toString()).isEqualTo("[2,3]");
    }

    @Test
    void aRealGzipStreamIsReadToo() throws IOException {
        TaskMessage m = decode("application/x-gzip", gzip(BODY.getBytes(StandardCharsets.UTF_8)));

        assertThat(m.args().toString()).isEqualTo("[2,3]");
    }

    @Test
    void aNullCompressionHeaderMeansUncompressed() {
        assertThat(decode(null, BODY.getBytes(StandardCharsets.UTF_8)).args().toString()).isEqualTo("[2,3]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-bz2", "application/x-lzma", "application/x-brotli", "application/zstd", "snappy"})
    void otherKombuCompressionsAreRefusedByName(String compression) {
        assertThatThrownBy(() -> decode(compression, new byte[] {1, 2, 3}))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageStartingWith("unsupported compression '" + compression + "'")
                .hasMessageContaining("application/x-gzip");
    }

    @Test
    void aBodyThatDoesNotInflateIsRefused() throws IOException {
        byte[] truncated = Arrays.copyOf(zlib(BODY.getBytes(StandardCharsets.UTF_8)), 10);

        assertThatThrownBy(() -> decode("application/x-gzip", BODY.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("does not inflate as zlib");
        assertThatThrownBy(() -> decode("zlib", truncated))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("does not inflate");
    }

    @Test
    void aBodyThatInflatesPastTheLimitIsRefused() throws IOException {
        byte[] bomb = zlib(new byte[1_000_000]);

        assertThat(bomb.length).isLessThan(10_000);
        assertThatThrownBy(() -> BodyCompression.inflate("zlib", bomb, 500_000))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("inflates past 500000 bytes");
        assertThat(BodyCompression.inflate("zlib", bomb, 1_000_000)).hasSize(1_000_000);
    }

    @Test
    void aCompressionHeaderThatIsNotAStringIsRefused() {
        Map<String, @Nullable Object> headers = Captures.messages().getFirst().amqpHeaders();
        headers.put("compression", 9);

        assertThatThrownBy(() -> codec.decode(headers, DeliveryProperties.defaults("x"), new byte[0]))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("compression");
    }
}
