package dev.bullpen.worker.internal;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.autoconfigure.BullpenAutoConfiguration;
import dev.bullpen.autoconfigure.ResultProperties;
import dev.bullpen.autoconfigure.RoutingProperties;
import dev.bullpen.client.TaskClient;
import dev.bullpen.client.ConfirmingPublisher;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.revoke.Revocations;
import dev.bullpen.worker.WorkerProperties;
import dev.bullpen.worker.internal.control.ControlCommands;
import dev.bullpen.worker.internal.control.Heartbeat;
import dev.bullpen.worker.internal.control.LamportClock;
import dev.bullpen.worker.internal.control.Pidbox;
import dev.bullpen.worker.internal.limits.RateLimits;
import dev.bullpen.worker.internal.run.TaskMeters;
import dev.bullpen.worker.internal.run.TaskRegistry;
import dev.bullpen.worker.internal.run.TaskRunner;
import dev.bullpen.worker.internal.topology.DeadLetters;
import dev.bullpen.worker.internal.topology.DelayedDelivery;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Makes any Spring Boot application that has bullpen-worker on its classpath a worker, unless
 * {@code bullpen.worker.enabled=false}.
 */
@AutoConfiguration(after = BullpenAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "bullpen.worker.enabled", matchIfMissing = true)
@EnableConfigurationProperties({WorkerProperties.class, RoutingProperties.class})
public class WorkerAutoConfiguration {

    /** One logical clock per node, shared by its events and its remote-control replies, as in Celery. */
    private final LamportClock clock = new LamportClock();

    /** Static, as a bean post-processor must be, so it sees every bean as it is created. */
    @Bean
    @ConditionalOnMissingBean
    public static TaskRegistry taskRegistry() {
        return new TaskRegistry();
    }

    @Bean
    @ConditionalOnMissingBean
    public TaskMeters taskMeters(ObjectProvider<MeterRegistry> meters, TaskRegistry registry) {
        return new TaskMeters(meters.getIfAvailable(() -> Metrics.globalRegistry), registry);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ResultBackend.class)
    public TaskRunner taskRunner(TaskRegistry registry, ResultBackend results, WorkerProperties properties,
            TaskMeters meters, ObjectProvider<TaskClient> canvas) {
        // The client sends links, chain steps and chord bodies, routed as the application routes its own tasks.
        return new TaskRunner(registry, results, properties.nodeName(), properties.trackStarted(), meters,
                properties.resultRetryTimeout(), canvas.getIfAvailable());
    }

    /**
     * The worker's one publishing connection, {@code <node> publishing}: dead letters, delays, events
     * and the follow-up tasks its TaskClient sends each publish on channels of their own on it. It is
     * apart from the consuming connection, so that the broker blocking publishers (a resource alarm)
     * never stalls deliveries and acks.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(ConnectionFactory.class)
    public ConfirmingPublisher bullpenWorkerPublisher(ConnectionFactory bullpenAmqpConnectionFactory,
            WorkerProperties properties) {
        return new ConfirmingPublisher(bullpenAmqpConnectionFactory, 1, properties.nodeName() + " publishing");
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ConfirmingPublisher.class)
    public DeadLetters deadLetters(ConfirmingPublisher bullpenWorkerPublisher) {
        return new DeadLetters(bullpenWorkerPublisher);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ConfirmingPublisher.class)
    public DelayedDelivery delayedDelivery(ConfirmingPublisher bullpenWorkerPublisher) {
        return new DelayedDelivery(bullpenWorkerPublisher.sibling(1));
    }

    /** Rate limits' buckets beside the results, under the same key prefix, so all workers share them. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(LettuceConnectionFactory.class)
    public RateLimits rateLimits(LettuceConnectionFactory redis, ResultProperties results) {
        return new RateLimits(redis, results.keyPrefix());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({ConnectionFactory.class, TaskRunner.class})
    public Worker bullpenWorker(ConnectionFactory bullpenAmqpConnectionFactory, WorkerProperties properties,
            TaskRunner runner, TaskRegistry registry, DeadLetters deadLetters, DelayedDelivery delayed,
            ObjectProvider<Revocations> revocations, TaskMeters meters, ObjectProvider<MeterRegistry> registryOfMeters,
            ObjectProvider<RateLimits> rateLimits, RoutingProperties routing) {
        return new Worker(bullpenAmqpConnectionFactory, properties, runner, registry, deadLetters, delayed,
                revocations.getIfAvailable(), meters, registryOfMeters.getIfAvailable(() -> Metrics.globalRegistry),
                rateLimits.getIfAvailable(), routing.queues());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Worker.class)
    Heartbeat bullpenHeartbeat(ConfirmingPublisher bullpenWorkerPublisher, WorkerProperties properties,
            TaskRegistry registry, Worker worker, TaskMeters meters) {
        return new Heartbeat(bullpenWorkerPublisher.sibling(1), properties,
                registry, worker::inFlight, meters::processed, clock, worker::directQueue);
    }

    /** Celery's remote control ({@code celery inspect}, {@code app.control.revoke}); off with {@code bullpen.worker.remote-control=false}. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Worker.class)
    @ConditionalOnBooleanProperty(name = "bullpen.worker.remote-control", matchIfMissing = true)
    Pidbox bullpenPidbox(ConnectionFactory bullpenAmqpConnectionFactory, WorkerProperties properties,
            TaskRegistry registry, TaskRunner runner, ObjectProvider<Revocations> revocations, TaskMeters meters,
            Worker worker) {
        ControlCommands commands = new ControlCommands(properties, registry, runner, revocations.getIfAvailable(), meters,
                clock, bullpenAmqpConnectionFactory, worker::directQueue);
        return new Pidbox(bullpenAmqpConnectionFactory, properties.nodeName(), commands, clock);
    }

    @Bean
    @ConditionalOnBean(Worker.class)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    public HealthIndicator bullpenWorkerHealthIndicator(Worker worker) {
        return new WorkerHealthIndicator(worker);
    }
}
