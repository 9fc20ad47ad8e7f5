package dev.bullpen.client;


/** The broker returned a mandatory message: no queue is bound for its exchange and routing key. */
final class UnroutableException extends TaskPublishException {

    UnroutableException(String message) {
        super(message);
    }
}
