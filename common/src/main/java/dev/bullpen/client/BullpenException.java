package dev.bullpen.client;

/** The root of Bullpen's unchecked exceptions. */
public class BullpenException extends RuntimeException {

    public BullpenException(String message) {
        super(message);
    }

    public BullpenException(String message, Throwable cause) {
        super(message, cause);
    }
}
