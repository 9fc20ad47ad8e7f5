package dev.bullpen.client;

import org.jspecify.annotations.Nullable;
/** The root of Bullpen's unchecked exceptions. */
public class BullpenException extends RuntimeException {

    public BullpenException(String message) {
        super(message);
    }

    public BullpenException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
