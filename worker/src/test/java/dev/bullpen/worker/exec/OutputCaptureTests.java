package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutputCaptureTests {

    @Test
    void keepsUpToTheCapCountsTheRestAndSignalsTheOverflowOnce() throws InterruptedException {
        AtomicInteger overflows = new AtomicInteger();
        byte[] bytes = "a".repeat(100_000).getBytes(StandardCharsets.US_ASCII);

        OutputCapture capture = OutputCapture.start("test", new ByteArrayInputStream(bytes), 1000, overflows::incrementAndGet);

        assertThat(capture.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(capture.text()).isEqualTo("a".repeat(1000));
        assertThat(capture.total()).isEqualTo(100_000);
        assertThat(capture.truncated()).isTrue();
        assertThat(overflows).hasValue(1);
    }

    @Test
    void exactlyTheCapIsNotTruncated() throws InterruptedException {
        AtomicInteger overflows = new AtomicInteger();
        OutputCapture capture = OutputCapture.start("test", new ByteArrayInputStream(new byte[] {'x', 'y'}), 2,
                overflows::incrementAndGet);

        assertThat(capture.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(capture.text()).isEqualTo("xy");
        assertThat(capture.truncated()).isFalse();
        assertThat(overflows).hasValue(0);
    }

    @Test
    void bytesThatAreNotUtf8BecomeReplacementCharacters() throws InterruptedException {
        byte[] bytes = {'o', 'k', (byte) 0xff, ' ', (byte) 0xe2, (byte) 0x98, (byte) 0x83, ' ', (byte) 0xe2, (byte) 0x98};

        OutputCapture capture = OutputCapture.start("test", new ByteArrayInputStream(bytes), 1024, () -> { });

        assertThat(capture.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(capture.text()).isEqualTo("ok\uFFFD \u2603 \uFFFD");
    }
}
