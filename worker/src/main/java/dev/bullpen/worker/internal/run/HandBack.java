package dev.bullpen.worker.internal.run;

/**
 * The message must go back to the broker unacknowledged, to run again later or elsewhere: its
 * outcome could not be stored in time, or the worker stopped before it was.
 */
public final class HandBack extends RuntimeException {

    HandBack(String message, Throwable cause) {
        super(message, cause);
    }

    HandBack(String message) {
        super(message, null, false, false);
    }
}
