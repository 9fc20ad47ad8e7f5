package dev.bullpen.worker.demo;

import dev.bullpen.worker.Args;
import dev.bullpen.worker.Kwargs;
import dev.bullpen.worker.Task;
import dev.bullpen.worker.TaskContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.springframework.stereotype.Component;

/** The demo tasks the README's tour and docs/ use (listed in docs/writing-tasks.md): try them with curl or from Python's Celery. */
@Component
class DemoTasks {

    /** {@code demo.add(x, y)}: the sum. */
    @Task("demo.add")
    long add(long x, long y) {
        return x + y;
    }

    /** {@code demo.mul(x, y)}: the product. */
    @Task("demo.mul")
    long mul(long x, long y) {
        return x * y;
    }

    /** {@code demo.tsum(numbers)}: the sum of a list, e.g. a chord's header results. */
    @Task("demo.tsum")
    long tsum(List<Long> numbers) {
        return numbers.stream().mapToLong(Long::longValue).sum();
    }

    /**
     * {@code demo.pi_chunk(samples, seed)}: throws {@code samples} random points at the unit square and
     * counts those inside the quarter circle; {@code {"inside": n, "samples": samples}}. The seed
     * makes each chunk repeatable and different from the others.
     */
    @Task("demo.pi_chunk")
    Map<String, Long> piChunk(long samples, long seed) {
        if (samples < 1 || samples > 1_000_000_000L) {
            throw new IllegalArgumentException("samples must be 1 to 1e9, got " + samples);
        }
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long i = 0; i < samples; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return Map.of("inside", inside, "samples", samples);
    }

    /** {@code demo.pi_combine(chunks)}: pi estimated from {@code demo.pi_chunk} results, e.g. a chord's header. */
    @Task("demo.pi_combine")
    Map<String, Object> piCombine(List<Map<String, Long>> chunks) {
        long inside = chunks.stream().mapToLong(c -> c.get("inside")).sum();
        long samples = chunks.stream().mapToLong(c -> c.get("samples")).sum();
        double pi = 4.0 * inside / samples;
        return Map.of("pi", pi, "samples", samples, "chunks", chunks.size(), "error", Math.abs(pi - Math.PI));
    }

    /** {@code demo.sleep(seconds)}: waits, then returns the seconds it slept. */
    @Task("demo.sleep")
    double sleep(double seconds) throws InterruptedException {
        Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
        return seconds;
    }

    /** {@code demo.fail(message)}: raises with that message. */
    @Task("demo.fail")
    Object fail(String message) {
        throw new IllegalStateException(message);
    }

    /**
     * {@code demo.flaky(failures)}: raises {@code IOException} on its first {@code failures} runs, each
     * retried after 1, 2, 4 s; returns how many retries it took. Past 3 failures it is dead-lettered.
     */
    @Task(value = "demo.flaky", retryFor = IOException.class, maxRetries = 3, backoff = 1, jitter = false)
    int flaky(int failures, TaskContext context) throws IOException {
        if (context.retries() < failures) {
            throw new IOException("failure " + (context.retries() + 1) + " of " + failures);
        }
        return context.retries();
    }

    /**
     * {@code demo.limited(x)}: returns {@code x}, at most 5 a second across all workers together
     * (pitch a batch and watch them start 200 ms apart).
     */
    @Task(value = "demo.limited", rateLimit = "5/s")
    Object limited(Object x) {
        return x;
    }

    /** {@code demo.echo(*args, **kwargs)}: returns {@code {"args": [...], "kwargs": {...}}}. */
    @Task("demo.echo")
    Map<String, Object> echo(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        return Map.of("args", args, "kwargs", kwargs);
    }

    /** {@code demo.whoami()}: the node name of the worker that ran it, e.g. to see where a direct or broadcast task went. */
    @Task("demo.whoami")
    String whoami(TaskContext context) {
        return context.workerName();
    }
}
