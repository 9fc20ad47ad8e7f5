package dev.bullpen.client;

/**
 * A task for one named worker ({@link TaskOptions#worker}) that no worker of that name can receive:
 * the broker has no {@code <worker>.dq2} queue bound to {@code C.dq2} for it, so it was not queued.
 */
public final class UnknownWorkerException extends TaskPublishException {

    private final String worker;

    public UnknownWorkerException(String worker, String message) {
        super(message);
        this.worker = worker;
    }

    /** The node name asked for. */
    public String worker() {
        return worker;
    }
}
