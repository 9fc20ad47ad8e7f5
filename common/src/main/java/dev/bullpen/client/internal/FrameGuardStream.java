package dev.bullpen.client.internal;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The bytes the broker sends, as the RabbitMQ Java client will read them, but for what would break
 * its connection: each content header frame is made safe by {@link ContentHeaders}, and the body
 * frames of a message over the limit are dropped as they arrive, so it is never held in memory.
 * Every other frame (methods, bodies, heartbeats) passes through as it comes, copied once.
 *
 * <p>AMQP 0-9-1 frames are {@code type(1) channel(2) size(4) payload(size) 0xCE}. Reads may time out
 * (the client sets a socket timeout to notice missed heartbeats) at any byte; every step keeps how
 * far it got, so a read after a timeout goes on where the last one stopped.
 */
final class FrameGuardStream extends InputStream {

    private static final int FRAME_HEADER = 2;
    private static final int FRAME_BODY = 3;
    private static final int FRAME_END = 0xCE;
    /** Content header frames are at most {@code frame_max} (128 KiB by default); larger ones pass untouched. */
    private static final int LARGEST_HEADER_FRAME = 16 * 1024 * 1024;

    private final InputStream in;
    private final long maxBody;

    /** A frame's first 7 bytes while they are read, or a whole content header frame. */
    private byte[] frame = new byte[7];
    /** The first 7 bytes of a frame passed through, for the client. */
    private final byte[] frameStart = new byte[7];
    private int framePosition;
    private boolean frameIsHeader;
    /** Bytes ready for the client: {@code out[outPosition, outEnd)}. */
    private byte[] out = new byte[0];
    private int outPosition;
    private int outEnd;
    /** Bytes of the current frame to pass through unread, payload and end octet. */
    private long passThrough;
    /** Bytes of the current frame to drop. */
    private long dropping;
    /** Body bytes still to drop, by channel. */
    private final Map<Integer, Long> droppedBodies = new HashMap<>();
    private final byte[] scratch = new byte[8192];
    private final byte[] oneByte = new byte[1];
    private boolean started;
    /** Not frames at all: the broker answered our protocol header with its own (a version mismatch). */
    private boolean raw;

    FrameGuardStream(InputStream in, long maxBody) {
        this.in = new BufferedInputStream(in, 64 * 1024);
        this.maxBody = maxBody;
    }

    @Override
    public int read() throws IOException {
        int n = read(oneByte, 0, 1);
        return n < 0 ? -1 : oneByte[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (outPosition < outEnd) {
                int n = Math.min(len, outEnd - outPosition);
                System.arraycopy(out, outPosition, b, off, n);
                outPosition += n;
                return n;
            }
            if (raw) {
                return in.read(b, off, len);
            }
            if (passThrough > 0) {
                int n = in.read(b, off, (int) Math.min(len, passThrough));
                if (n > 0) {
                    passThrough -= n;
                }
                return n;
            }
            if (!nextFrame()) {
                return -1;
            }
        }
    }

    @Override
    public int available() throws IOException {
        if (outPosition < outEnd) {
            return outEnd - outPosition;
        }
        return raw ? in.available() : (int) Math.min(passThrough, in.available());
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads on until there is something for the client; false at the end of the stream between frames. */
    private boolean nextFrame() throws IOException {
        if (dropping > 0) {
            drop();
            return true;
        }
        if (!frameIsHeader) {
            if (framePosition == 0 && !started) {
                int first = in.read();
                if (first < 0) {
                    return false;
                }
                started = true;
                if (first == 'A') {
                    raw = true;
                    give(new byte[] {'A'}, 1);
                    return true;
                }
                frame[framePosition++] = (byte) first;
            }
            if (!fill(7)) {
                return false;
            }
            int type = frame[0] & 0xff;
            int channel = ((frame[1] & 0xff) << 8) | (frame[2] & 0xff);
            long size = ContentHeaders.readInt(frame, 3);
            if (type == FRAME_HEADER && size <= LARGEST_HEADER_FRAME) {
                byte[] whole = new byte[7 + (int) size + 1];
                System.arraycopy(frame, 0, whole, 0, 7);
                frame = whole;
                frameIsHeader = true;
            } else if (type == FRAME_BODY && droppedBodies.containsKey(channel)) {
                long left = droppedBodies.get(channel) - size;
                if (left > 0) {
                    droppedBodies.put(channel, left);
                } else {
                    droppedBodies.remove(channel);
                }
                dropping = size + 1;
                resetFrame();
                drop();
                return true;
            } else {
                System.arraycopy(frame, 0, frameStart, 0, 7);
                give(frameStart, 7);
                passThrough = size + 1;
                framePosition = 0;
                return true;
            }
        }
        if (!fill(frame.length)) {
            throw new EOFException("the connection ended inside a content header frame");
        }
        int channel = ((frame[1] & 0xff) << 8) | (frame[2] & 0xff);
        ContentHeaders.Safe safe = ContentHeaders.rewrite(frame, 7, frame.length - 1, maxBody);
        if (safe.payload() == frame) {
            give(frame, frame.length);
            droppedBodies.remove(channel);
        } else {
            byte[] payload = safe.payload();
            byte[] rewritten = new byte[7 + payload.length + 1];
            System.arraycopy(frame, 0, rewritten, 0, 3);
            rewritten[3] = (byte) (payload.length >>> 24);
            rewritten[4] = (byte) (payload.length >>> 16);
            rewritten[5] = (byte) (payload.length >>> 8);
            rewritten[6] = (byte) payload.length;
            System.arraycopy(payload, 0, rewritten, 7, payload.length);
            rewritten[rewritten.length - 1] = (byte) FRAME_END;
            give(rewritten, rewritten.length);
            if (safe.dropBody() > 0) {
                droppedBodies.put(channel, safe.dropBody());
            } else {
                droppedBodies.remove(channel);
            }
        }
        resetFrame();
        return true;
    }

    private void resetFrame() {
        if (frame.length != 7) {
            frame = new byte[7];
        }
        framePosition = 0;
        frameIsHeader = false;
    }

    /** Reads into {@link #frame} until it holds {@code length} bytes; false at the end of the stream before any. */
    private boolean fill(int length) throws IOException {
        while (framePosition < length) {
            int n = in.read(frame, framePosition, length - framePosition);
            if (n < 0) {
                if (framePosition == 0) {
                    return false;
                }
                throw new EOFException("the connection ended inside a frame");
            }
            framePosition += n;
        }
        return true;
    }

    /** Reads and forgets; counted read by read, since a skip that times out would not say how far it got. */
    private void drop() throws IOException {
        while (dropping > 0) {
            int n = in.read(scratch, 0, (int) Math.min(scratch.length, dropping));
            if (n < 0) {
                throw new EOFException("the connection ended inside a dropped body frame");
            }
            dropping -= n;
        }
    }

    private void give(byte[] bytes, int length) {
        out = bytes;
        outPosition = 0;
        outEnd = length;
    }
}
