package dev.bullpen.result;

/**
 * A result larger than its backend stores ({@code bullpen.result.max-bytes}, or what Redis itself
 * accepts): nothing was stored. Storing it again cannot succeed; a worker stores a small FAILURE
 * {@code ResultTooLarge} in its place.
 */
public final class ResultTooLargeException extends RuntimeException {

    /** The property that sets the limit, for messages that say what to change. */
    public static final String MAX_BYTES = "bullpen.result.max-bytes";
    /** Whose limit it is, when the setting's: the end of the message. */
    static final String CONFIGURED = "a result may take (" + MAX_BYTES + ")";

    private final long size;
    private final long limit;

    public ResultTooLargeException(String taskId, long size, long limit, String why) {
        super("the result of task " + taskId + " is " + size + " bytes, over the " + limit + " bytes " + why);
        this.size = size;
        this.limit = limit;
    }

    /** The encoded result's size in bytes. */
    public long size() {
        return size;
    }

    /** The largest result the backend stores, in bytes. */
    public long limit() {
        return limit;
    }
}
