package dev.bullpen.worker.internal.consume;

import com.rabbitmq.client.AMQP;
import dev.bullpen.protocol.WireTime;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

/**
 * The message of a retry, as Celery's {@code Task.retry} sends it: the same body and task id, every
 * header and property kept (expires, time limits, root, parent, group, the caller's own headers),
 * but {@code retries} counted up and an {@code eta} when it is due.
 */
final class RetryMessage {

    private RetryMessage() {
    }

    /** The properties of the retry of a message whose attempt had been retried {@code retries} times. */
    static AMQP.BasicProperties next(AMQP.BasicProperties props, int retries, OffsetDateTime eta) {
        Map<String, Object> headers = props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
        headers.put("retries", retries == Integer.MAX_VALUE ? retries : retries + 1); // never wraps to negative
        headers.put("eta", WireTime.format(eta));
        return props.builder().headers(headers).build();
    }
}
