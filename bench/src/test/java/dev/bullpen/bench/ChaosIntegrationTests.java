package dev.bullpen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos run, small: a RabbitMQ node and a Redis of the test's own on free ports (the shared
 * ones are never touched), two workers and the producer from their jars. The scenarios share them,
 * so each also shows the services came through the ones before it; the worker kill and the broker's
 * data loss come last.
 * {@code java -jar bench/target/bullpen-bench-exec.jar chaos} is the long version.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIntegrationTests {

    static final int TASKS = 200;
    /**
     * Two workers run 200 ten-millisecond tasks in a fraction of a second: on a busy machine the test
     * may notice "a quarter done" too late. A thousand leave plenty queued when the victim dies.
     */
    static final int KILL_TASKS = 1_000;

    static ChaosRig rig;
    static ChaosScenarios scenarios;

    @BeforeAll
    static void start() throws Exception {
        rig = ChaosRig.start(new ChaosRig.Settings(jar("worker"), jar("producer"), ServiceProcess.freePort(),
                ServiceProcess.freePort(), ServiceProcess.freePort(), 2, 16, null, null, false));
        scenarios = new ChaosScenarios(rig);
        assertThat(rig.endpoints().amqp().getPort()).isNotEqualTo(5672);
        assertThat(rig.endpoints().redis().getPort()).isNotEqualTo(6379);
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    @Order(1)
    void aPoisonMessageAndATaskThatAlwaysThrowsEndInTheDeadLetterQueueAndTheWorkersKeepServing() throws Exception {
        ScenarioResult result = reported(scenarios.deadLetters(50));

        assertThat(result.failures()).as(result.notes()).isEmpty();
        assertThat(result.deadLettered()).isEqualTo(2);
        assertThat(result.succeeded()).isEqualTo(50);
        assertThat(result.lost()).isZero();
    }

    @Test
    @Order(2)
    void killingRedisMidRunLeavesEveryTaskWithItsResultStored() throws Exception {
        ScenarioResult result = reported(scenarios.restartRedis(TASKS, Duration.ofSeconds(2)));

        assertThat(result.failures()).as(result.notes()).isEmpty();
        assertThat(result.succeeded()).isEqualTo(TASKS);
        assertThat(result.lost()).isZero();
        assertThat(result.duplicateSuccessWrites()).isZero();
    }

    @Test
    @Order(3)
    void restartingTheBrokerDuringASubmitLoopFinishesEveryTaskThatGotA202() throws Exception {
        ScenarioResult result = reported(scenarios.restartBroker(TASKS));

        assertThat(result.failures()).as(result.notes()).isEmpty();
        assertThat(result.accepted()).isGreaterThanOrEqualTo(TASKS);
        assertThat(result.succeeded()).isEqualTo(result.accepted());
        assertThat(result.lost()).isZero();
        assertThat(result.duplicateSuccessWrites()).isZero();
    }

    @Test
    @Order(4)
    void killingOneOfTwoWorkersMidRunLosesNoTaskAndWritesNoSuccessTwice() throws Exception {
        ScenarioResult result = reported(scenarios.killWorker(KILL_TASKS));

        assertThat(result.failures()).as(result.notes()).isEmpty();
        assertThat(result.succeeded()).isEqualTo(KILL_TASKS);
        assertThat(result.lost()).isZero();
        assertThat(result.duplicateSuccessWrites()).isZero();
        assertThat(rig.workers().stream().filter(ServiceProcess::isAlive)).hasSize(1);
    }

    @Test
    @Order(5)
    void aBrokerBackWithoutItsDataGetsItsQueueAgainAndTheTasksSentThenRun() throws Exception {
        ScenarioResult result = reported(scenarios.restartBrokerEmpty(50));

        assertThat(result.failures()).as(result.notes()).isEmpty();
        assertThat(result.accepted()).isEqualTo(50);
        assertThat(result.succeeded()).isEqualTo(50);
    }

    /** What happened goes to the test's output, passed or not: the figures are the point. */
    private static ScenarioResult reported(ScenarioResult result) {
        System.out.printf("chaos: %s: %s; %d accepted, %d SUCCESS, %d lost, %d duplicate SUCCESS writes, %d ran more than once%n",
                result.scenario(), result.notes(), result.accepted(), result.succeeded(), result.lost(),
                result.duplicateSuccessWrites(), result.ranMoreThanOnce());
        return result;
    }

    private static Path jar(String module) {
        String configured = System.getProperty("bullpen.chaos." + module + "-jar");
        return Path.of(configured != null ? configured : "../" + module + "/target/bullpen-" + module + "-exec.jar");
    }
}
