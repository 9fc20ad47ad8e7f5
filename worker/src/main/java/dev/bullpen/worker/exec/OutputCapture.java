package dev.bullpen.worker.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains one of a program's output streams on a thread of its own, so that a program filling
 * stdout while we wait on stderr (or on its exit) never blocks on a full pipe. Keeps the first
 * {@code cap} bytes; the rest is read, counted and dropped.
 */
final class OutputCapture {

    private final InputStream in;
    private final int cap;
    private final Runnable onOverflow;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long total;

    private OutputCapture(InputStream in, int cap, Runnable onOverflow) {
        this.in = in;
        this.cap = cap;
        this.onOverflow = onOverflow;
    }

    /** Starts draining {@code in}; {@code onOverflow} runs once, on the draining thread, when it passes {@code cap}. */
    static OutputCapture start(String name, InputStream in, int cap, Runnable onOverflow) {
        OutputCapture capture = new OutputCapture(in, cap, onOverflow);
        Thread.ofVirtual().name(name).start(capture::drain);
        return capture;
    }

    private void drain() {
        byte[] buffer = new byte[16 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                long before = total;
                total = before + n;
                synchronized (kept) {
                    int room = (int) Math.max(0, Math.min(n, cap - kept.size()));
                    kept.write(buffer, 0, room);
                }
                if (before <= cap && total > cap) {
                    onOverflow.run();
                }
            }
        } catch (IOException ex) {
            // The stream was closed under us (the program was killed, or we gave up on it): keep what came.
        } finally {
            done.countDown();
        }
    }

    /** Waits until the stream ends; false if it did not within the time. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    /** Gives up on a stream that some escaped process still holds open. */
    void abandon() {
        try {
            in.close();
        } catch (IOException ignored) {
            // Nothing more to do.
        }
    }

    /** Bytes the program wrote, kept or not. */
    long total() {
        return total;
    }

    boolean truncated() {
        return total > cap;
    }

    /** What was kept, as UTF-8 with U+FFFD for bytes that are not (a character cut at the cap included). */
    String text() {
        byte[] bytes;
        synchronized (kept) {
            bytes = kept.toByteArray();
        }
        return new String(bytes, StandardCharsets.UTF_8); // replaces what is not UTF-8
    }
}
