package dev.bullpen.bench;

/** Samples a process's resident set every 100 ms while open; {@link #max()} is the most seen. */
final class RssSampler implements AutoCloseable {

    private final Thread thread;
    private volatile long max;
    private volatile boolean open = true;

    RssSampler(ServiceProcess process) {
        max = process.rssMiB();
        thread = Thread.ofVirtual().start(() -> {
            while (open) {
                max = Math.max(max, process.rssMiB());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ex) {
                    return;
                }
            }
        });
    }

    long max() {
        return max;
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        thread.join();
    }
}
