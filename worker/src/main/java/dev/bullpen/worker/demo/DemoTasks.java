package dev.bullpen.worker.demo;

import dev.bullpen.worker.Args;
import dev.bullpen.worker.Kwargs;
import dev.bullpen.worker.Task;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** The demo tasks the README uses: try them with curl or from Python's Celery. */
@Component
class DemoTasks {

    /** {@code demo.add(x, y)}: the sum. */
    @Task("demo.add")
    long add(long x, long y) {
        return x + y;
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

    /** {@code demo.echo(*args, **kwargs)}: returns {@code {"args": [...], "kwargs": {...}}}. */
    @Task("demo.echo")
    Map<String, Object> echo(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        return Map.of("args", args, "kwargs", kwargs);
    }
}
