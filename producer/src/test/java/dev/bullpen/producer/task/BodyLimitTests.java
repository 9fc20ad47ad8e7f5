package dev.bullpen.producer.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BodyLimitTests {

    private final BodyLimit limit = new BodyLimit(1024);

    @Test
    void readsABodyUpToTheLimit() throws Exception {
        byte[] body = new byte[1024];

        assertThat(limit.read(new ByteArrayInputStream(body), -1)).hasSize(1024);
        assertThat(limit.read(new ByteArrayInputStream(body), 1024)).hasSize(1024);
        assertThat(limit.read(new ByteArrayInputStream(new byte[0]), 0)).isEmpty();
    }

    @Test
    void refusesALargerChunkedBodyAfterReadingOneByteMore() {
        CountingStream in = new CountingStream(10_000);

        assertThatThrownBy(() -> limit.read(in, -1)).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("1024 bytes");
        assertThat(in.served).isEqualTo(1025);
    }

    @Test
    void refusesALargerDeclaredBodyWithoutReadingIt() {
        CountingStream in = new CountingStream(10_000);

        assertThatThrownBy(() -> limit.read(in, 10_000)).isInstanceOf(PayloadTooLargeException.class);
        assertThat(in.served).isZero();
    }

    /** A body of {@code size} bytes that counts how many were read. */
    private static final class CountingStream extends InputStream {

        private final int size;
        private int served;

        CountingStream(int size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (served >= size) {
                return -1;
            }
            served++;
            return 'x';
        }
    }
}
