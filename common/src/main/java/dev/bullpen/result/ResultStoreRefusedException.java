package dev.bullpen.result;

/**
 * The result store answered a write with an error of its own (Redis's {@code -ERR ...} reply, say),
 * rather than not answering: it is up, and refused this write. Whether that is this write's fault
 * or the store's, for now, is for the writer to find out; a store that cannot be reached throws other
 * exceptions.
 */
public final class ResultStoreRefusedException extends RuntimeException {

    public ResultStoreRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
