// The talk's story from Java: what examples/bullpen-talk.ipynb does with Python's Celery client,
// done here with Bullpen's TaskClient. Ten 3-second jobs in a row, the same ten pitched at once, a
// pi sweep stitched by a chord, and ten files gzipped by a group of bullpen.exec tasks.
//
// From the repository root, with the stack running (see examples/README.md):
//   ./mvnw -B -q -DskipTests package
//   jshell --class-path "common/target/classes:$(cat common/target/classpath.txt)" examples/bullpen-talk.jsh
//
// The same environment variables as the notebook, with the same defaults (the README's local stack).
// A failed check throws, and JShell prints "Exception ..." on stderr.

import static dev.bullpen.client.Workflow.chord;
import static dev.bullpen.client.Workflow.group;
import static dev.bullpen.client.Workflow.task;

import dev.bullpen.client.GroupHandle;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.TaskClientSettings;
import dev.bullpen.client.TaskFailedException;
import dev.bullpen.client.TaskHandle;
import dev.bullpen.result.RedisResultBackend;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import tools.jackson.databind.JsonNode;

String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
}

void check(boolean ok, String what) {
    if (!ok) {
        throw new IllegalStateException("check failed: " + what);
    }
}

double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
}

String brokerUrl = env("BULLPEN_BROKER_URL", "amqp://guest:guest@localhost:5672//");
URI redisUrl = URI.create(env("BULLPEN_REDIS_URL", "redis://localhost:6379/0"));
String keyPrefix = env("BULLPEN_KEY_PREFIX", "");
String queue = env("BULLPEN_QUEUE", "celery");
// The workers' bullpen.worker.exec.work-dir: the files are named relative to it.
Path sharedDir = Path.of(env("BULLPEN_SHARED_DIR", "/tmp/bullpen-talk"));
double jobSeconds = Double.parseDouble(env("BULLPEN_JOB_SECONDS", "3"));
System.out.printf("broker %s, results %s, queue '%s'%n", brokerUrl, redisUrl, queue);

// A TaskClient needs a RabbitMQ connection factory and a result backend on Redis.
ConnectionFactory amqp = new ConnectionFactory();
// Celery (kombu) writes the vhost "/" as a trailing "//", the Java client as "/%2F".
amqp.setUri(brokerUrl.endsWith("//") ? brokerUrl.substring(0, brokerUrl.length() - 1) + "%2F" : brokerUrl);
var redisConfig = new RedisStandaloneConfiguration(redisUrl.getHost(), redisUrl.getPort() < 0 ? 6379 : redisUrl.getPort());
redisConfig.setDatabase(redisUrl.getPath() == null || redisUrl.getPath().length() <= 1 ? 0 : Integer.parseInt(redisUrl.getPath().substring(1)));
LettuceConnectionFactory redis = new LettuceConnectionFactory(redisConfig);
redis.afterPropertiesSet();
redis.start();
// One line: JShell ends a snippet at the first line that reads as a complete statement.
TaskClient client = TaskClient.builder(amqp, new RedisResultBackend(redis, keyPrefix, Duration.ofDays(1))).settings(new TaskClientSettings(queue, Duration.ofSeconds(10), 2, true)).build();
Duration patience = Duration.ofSeconds((long) jobSeconds + 60);

// A first pitch.
long five = client.send("demo.add", List.of(2, 3)).get(Duration.ofSeconds(30), Long.class);
check(five == 5, "demo.add(2, 3) = " + five);
System.out.println("demo.add(2, 3) = " + five);

// 1. One job, ten times in a row.
long start = System.nanoTime();
for (int i = 0; i < 10; i++) {
    client.send("demo.sleep", List.of(jobSeconds)).get(patience);
}
double inARow = secondsSince(start);
System.out.printf("10 x demo.sleep(%s) in a row: %.1f s%n", jobSeconds, inARow);

// 2. The same ten, pitched at once: send all, then wait for each.
start = System.nanoTime();
List<TaskHandle> pitched = new ArrayList<>();
for (int i = 0; i < 10; i++) {
    pitched.add(client.send("demo.sleep", List.of(jobSeconds)));
}
for (TaskHandle handle : pitched) {
    handle.get(patience);
}
double atOnce = secondsSince(start);
System.out.printf("10 x demo.sleep(%s) at once: %.1f s (in a row / at once: %.1fx)%n", jobSeconds, atOnce, inARow / atOnce);

// 3. A parameter sweep stitched by a chord: pi by Monte Carlo, 40 chunks of a growing number of points.
// The body names its queue: the worker that finishes the last chunk sends it.
int chunks = 40;
System.out.printf("%14s %10s %9s %9s%n", "points", "pi", "error", "wall (s)");
for (long points : new long[] {10_000, 1_000_000, 100_000_000}) {
    long samples = points / chunks;
    start = System.nanoTime();
    JsonNode estimate = client.apply(chord(
            IntStream.rangeClosed(1, chunks).mapToObj(seed -> task("demo.pi_chunk", samples, seed)).toList(),
            task("demo.pi_combine").queue(queue))).get(Duration.ofMinutes(5));
    check(estimate.path("samples").asLong() == points && estimate.path("chunks").asInt() == chunks, "the chord's body: " + estimate);
    System.out.printf("%,14d %10.6f %9.1e %9.2f%n", points, estimate.path("pi").asDouble(), estimate.path("error").asDouble(),
            secondsSince(start));
}

// 4. A file conversion: ten text files, gzipped by a group of bullpen.exec tasks, one a file.
// sharedDir is the workers' work-dir (same machine, or a shared volume): a call names a file in it
// relatively, and gzip gets only the flags the workers list for it (-k).
Files.createDirectories(sharedDir);
String[] words = "cut it up work on it and stitch it back together in the bullpen".split(" ");
Random random = new Random(7);
List<Path> files = new ArrayList<>();
for (int n = 0; n < 10; n++) {
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < 5_000 * (n + 1); line++) {
        for (int w = 0; w < 12; w++) {
            text.append(words[random.nextInt(words.length)]).append(w < 11 ? " " : "\n");
        }
    }
    Path file = sharedDir.resolve("talk-java-%02d.txt".formatted(n)).toAbsolutePath();
    Files.writeString(file, text);
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".gz")); // gzip -k overwrites none
    files.add(file);
}
start = System.nanoTime();
GroupHandle conversion = client.apply(group(files.stream()
        .map(f -> task("bullpen.exec", List.of(), Map.of("program", "gzip", "args", List.of("-k", f.getFileName().toString()), "timeout", 60)))
        .toList()));
List<JsonNode> ran = conversion.get(Duration.ofMinutes(2));
double converted = secondsSince(start);
System.out.printf("%-19s %10s %10s %6s %5s%n", "file", "before", "after", "ratio", "exit");
for (int i = 0; i < files.size(); i++) {
    Path f = files.get(i);
    Path gz = f.resolveSibling(f.getFileName() + ".gz");
    long before = Files.size(f);
    long after = Files.size(gz);
    check(ran.get(i).path("exit_code").asInt() == 0 && after < before, "gzip of " + f + ": " + ran.get(i));
    System.out.printf("%-19s %,10d %,10d %5.1fx %5d%n", f.getFileName(), before, after, (double) before / after,
            ran.get(i).path("exit_code").asInt());
}
System.out.printf("%d files compressed in %.2f s%n", files.size(), converted);

// A program that exits non-zero is a FAILURE, with the remote error.
try {
    client.send("bullpen.exec", List.of(), Map.of("program", "gzip", "args", List.of("-k", "no-such-file.txt")),
            dev.bullpen.client.TaskOptions.defaults()).get(Duration.ofSeconds(60));
    check(false, "gzip of a missing file succeeded");
} catch (TaskFailedException failure) {
    System.out.println(failure.remoteType() + ": " + failure.remoteMessage());
}

client.close();
redis.destroy();
System.out.println("Stitched back together: files in " + sharedDir);
/exit
