package dev.bullpen.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The chaos run: starts a RabbitMQ node and a Redis of its own (never the shared ones), two workers
 * and the producer from their jars, then kills things while tasks run and checks that none is lost
 * and no stored SUCCESS is written twice. Prints a Markdown table; exits 1 if a scenario failed, 2 if the run could not start.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Kill -9 a worker, restart the broker and Redis, send poison: count lost tasks and duplicate SUCCESS writes.")
public final class Chaos implements Callable<Integer> {

    @Option(names = "--tasks", description = "tasks per scenario (default ${DEFAULT-VALUE})")
    int tasks = 2_000;

    @Option(names = "--follow-ups", description = "tasks sent after the poison, to show the workers still serve (default ${DEFAULT-VALUE})")
    int followUps = 100;

    @Option(names = "--amqp-port", description = "the private RabbitMQ node's AMQP port (default ${DEFAULT-VALUE})")
    int amqpPort = 5673;

    @Option(names = "--dist-port", description = "the private node's Erlang distribution port (default ${DEFAULT-VALUE})")
    int distPort = 25673;

    @Option(names = "--redis-port", description = "the private Redis's port (default ${DEFAULT-VALUE})")
    int redisPort = 6380;

    @Option(names = "--redis-outage", description = "how long Redis stays down (default ${DEFAULT-VALUE})")
    Duration redisOutage = Duration.ofSeconds(3);

    @Option(names = "--concurrency", description = "each worker's concurrency (default ${DEFAULT-VALUE})")
    int concurrency = 16;

    @Option(names = "--worker-jar", description = "the worker's jar (default ${DEFAULT-VALUE})")
    Path workerJar = Path.of("worker/target/bullpen-worker-exec.jar");

    @Option(names = "--producer-jar", description = "the producer's jar (default ${DEFAULT-VALUE})")
    Path producerJar = Path.of("producer/target/bullpen-producer-exec.jar");

    @Option(names = "--rabbitmq-server", description = "the rabbitmq-server script (default: Debian's, else the PATH's)")
    @Nullable String rabbitmqServer;

    @Option(names = "--redis-server", description = "the redis-server binary (default: the PATH's)")
    @Nullable String redisServer;

    @Option(names = "--keep-files", description = "keep the temporary directory (logs, data) for a look afterwards")
    boolean keepFiles;

    @Override
    public Integer call() throws Exception {
        // The harness's own clients reconnect through outages it causes on purpose: that is no news.
        System.setProperty("org.slf4j.simpleLogger.log.io.lettuce", "error");
        System.setProperty("org.slf4j.simpleLogger.log.com.rabbitmq", "error");
        List<ScenarioResult> results;
        try {
            results = run(settings(), tasks, followUps, redisOutage);
        } catch (IllegalStateException cannotStart) {
            System.err.println("chaos: " + cannotStart.getMessage());
            return 2;
        }
        ChaosTable.print(results, System.out);
        return results.stream().allMatch(ScenarioResult::passed) ? 0 : 1;
    }

    ChaosRig.Settings settings() {
        return new ChaosRig.Settings(workerJar, producerJar, amqpPort, distPort, redisPort, 2, concurrency,
                rabbitmqServer, redisServer, keepFiles);
    }

    /** Every scenario on one rig; the worker kill and the broker's data loss come last, since they leave less behind. */
    static List<ScenarioResult> run(ChaosRig.Settings settings, int tasks, int followUps, Duration redisOutage)
            throws Exception {
        List<ScenarioResult> results = new ArrayList<>();
        System.out.println("Starting a private RabbitMQ (:" + settings.amqpPort() + "), Redis (:" + settings.redisPort()
                + "), two workers and the producer ...");
        try (ChaosRig rig = ChaosRig.start(settings)) {
            if (settings.keepFiles()) {
                System.out.println("Files in " + rig.dir());
            }
            ChaosScenarios scenarios = new ChaosScenarios(rig);
            results.add(report(scenarios.deadLetters(followUps)));
            results.add(report(scenarios.restartRedis(tasks, redisOutage)));
            results.add(report(scenarios.restartBroker(tasks)));
            results.add(report(scenarios.killWorker(tasks)));
            results.add(report(scenarios.restartBrokerEmpty(followUps)));
        }
        return results;
    }

    private static ScenarioResult report(ScenarioResult result) {
        System.out.printf("%s: %s in %.1f s%n", result.scenario(), result.passed() ? "pass" : "FAIL " + result.failures(),
                result.elapsed().toMillis() / 1000.0);
        return result;
    }
}
