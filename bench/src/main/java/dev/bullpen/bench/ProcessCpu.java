package dev.bullpen.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/** A process's CPU time, read from {@code /proc}, and a wait for processes to go quiet. */
final class ProcessCpu {

    /** A window in which a process using at most this share of a core counts as quiet. */
    static final double QUIET_SHARE = 0.05;

    private static final Duration WINDOW = Duration.ofMillis(500);

    private ProcessCpu() {
    }

    /** A process's user + system time in seconds, from {@code /proc/<pid>/stat} (clock ticks of 10 ms). */
    static double seconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime
    }

    /**
     * Waits until every one of {@code pids} used at most {@link #QUIET_SHARE} of a core over one
     * window, or {@code max} passed, and returns how long that took. After a burst of tasks the JVMs go
     * on compiling what the burst made hot for seconds; on two cores that compilation is what a latency
     * figure "on an idle system" would otherwise measure.
     */
    static Duration awaitQuiet(Duration max, long... pids) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        try {
            double[] before = read(pids);
            while (System.nanoTime() < deadline) {
                Thread.sleep(WINDOW);
                double[] after = read(pids);
                boolean quiet = true;
                for (int i = 0; i < pids.length; i++) {
                    quiet &= (after[i] - before[i]) <= QUIET_SHARE * WINDOW.toMillis() / 1000.0 + 0.01;
                }
                if (quiet) {
                    break;
                }
                before = after;
            }
        } catch (IOException gone) {
            throw new UncheckedIOException("cannot read the CPU time of " + Arrays.toString(pids), gone);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static double[] read(long[] pids) throws IOException {
        double[] seconds = new double[pids.length];
        for (int i = 0; i < pids.length; i++) {
            seconds[i] = seconds(pids[i]);
        }
        return seconds;
    }
}
