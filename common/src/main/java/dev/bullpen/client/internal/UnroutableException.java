package dev.bullpen.client.internal;

import dev.bullpen.client.TaskPublishException;

/** The broker returned a mandatory message: no queue is bound for its exchange and routing key. */
public final class UnroutableException extends TaskPublishException {

    public UnroutableException(String message) {
        super(message);
    }
}
