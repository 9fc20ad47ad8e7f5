package dev.bullpen.producer.task;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body of at most {@code bullpen.producer.max-payload} bytes, and refuses a larger
 * one as soon as that is known: from its Content-Length before reading anything, and for a chunked
 * body after one byte more than the limit. Nothing larger is ever buffered.
 */
public final class BodyLimit {

    private final long maxPayload;

    public BodyLimit(long maxPayload) {
        this.maxPayload = maxPayload;
    }

    /**
     * @param declaredLength the Content-Length, or -1 when unknown
     * @throws PayloadTooLargeException when the body is over the limit
     */
    public byte[] read(InputStream in, long declaredLength) throws IOException {
        if (declaredLength > maxPayload) {
            throw new PayloadTooLargeException(maxPayload);
        }
        byte[] body = in.readNBytes((int) maxPayload + 1);
        if (body.length > maxPayload) {
            throw new PayloadTooLargeException(maxPayload);
        }
        return body;
    }
}
