package dev.bullpen.producer.task;

/** A request body over {@code bullpen.producer.max-payload}: 413. */
final class PayloadTooLargeException extends RuntimeException {

    PayloadTooLargeException(long limit) {
        super("request body is larger than the limit of " + limit + " bytes (bullpen.producer.max-payload)");
    }
}
