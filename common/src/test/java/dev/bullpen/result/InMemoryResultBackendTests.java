package dev.bullpen.result;

/** The in-memory backend passes the same contract as Redis. */
class InMemoryResultBackendTests extends ResultBackendContract {

    @Override
    protected ResultBackend createBackend() {
        return new InMemoryResultBackend();
    }
}
