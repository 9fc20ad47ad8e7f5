package dev.bullpen.protocol;

/** A message that is not a Celery protocol v2 task message; the text says what is wrong. */
public class MalformedMessageException extends RuntimeException {

    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
