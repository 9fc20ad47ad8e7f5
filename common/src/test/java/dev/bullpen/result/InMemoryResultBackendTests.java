package dev.bullpen.result;

/** The in-memory backend passes the same contract as Redis. */
class InMemoryResultBackendTests extends ResultBackendContract {

    @Override
    protected ResultBackend createBackend() {
        return new InMemoryResultBackend();
    }

    @Override
    protected ResultBackend createBackend(long maxBytes) {
        return new InMemoryResultBackend(maxBytes);
    }
}
