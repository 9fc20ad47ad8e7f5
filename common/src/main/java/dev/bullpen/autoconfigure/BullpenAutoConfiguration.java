package dev.bullpen.autoconfigure;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.client.InboundGuard;
import dev.bullpen.client.ConfirmingPublisher;
import dev.bullpen.client.TaskClient;
import dev.bullpen.metrics.TagValues;
import dev.bullpen.result.RedisResultBackend;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.revoke.RedisRevocations;
import dev.bullpen.revoke.Revocations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.springframework.amqp.rabbit.connection.RabbitConnectionFactoryBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionFactoryBeanConfigurer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Wires Bullpen's client side from Boot's standard connection settings, so the usual
 * {@code SPRING_RABBITMQ_HOST}, {@code SPRING_DATA_REDIS_HOST} and friends configure everything.
 */
@AutoConfiguration(after = {RabbitAutoConfiguration.class, DataRedisAutoConfiguration.class})
@ConditionalOnClass({RabbitConnectionFactoryBeanConfigurer.class, LettuceConnectionFactory.class})
@EnableConfigurationProperties({ResultProperties.class, ClientProperties.class, RevokeProperties.class,
        RoutingProperties.class})
public class BullpenAutoConfiguration {

    /**
     * A RabbitMQ client factory of Bullpen's own, configured from {@code spring.rabbitmq.*}, with the
     * {@link InboundGuard}: no message can break its connections.
     */
    @Bean
    @ConditionalOnMissingBean(name = "bullpenAmqpConnectionFactory")
    @ConditionalOnBean(RabbitConnectionFactoryBeanConfigurer.class)
    public ConnectionFactory bullpenAmqpConnectionFactory(RabbitConnectionFactoryBeanConfigurer configurer) throws Exception {
        RabbitConnectionFactoryBean bean = new RabbitConnectionFactoryBean();
        configurer.configure(bean);
        bean.afterPropertiesSet();
        ConnectionFactory factory = bean.getObject();
        InboundGuard.install(factory, InboundGuard.CLIENT_DEFAULT_LIMIT);
        return factory;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(ResultBackend.class)
    @ConditionalOnBean(LettuceConnectionFactory.class)
    public RedisResultBackend resultBackend(LettuceConnectionFactory redis, ResultProperties properties) {
        return new RedisResultBackend(redis, properties.keyPrefix(), properties.expires(), properties.maxBytes().toBytes());
    }

    /** Revocations beside the results, under the same key prefix. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Revocations.class)
    @ConditionalOnBean(LettuceConnectionFactory.class)
    public RedisRevocations revocations(LettuceConnectionFactory redis, ResultProperties results,
            RevokeProperties properties, ObjectProvider<MeterRegistry> meters) {
        return new RedisRevocations(redis, results.keyPrefix(), properties.ttl(), properties.max(),
                meters.getIfAvailable(() -> Metrics.globalRegistry));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean({ResultBackend.class, ConnectionFactory.class})
    public TaskClient taskClient(ConnectionFactory bullpenAmqpConnectionFactory, ResultBackend results,
            ObjectProvider<Revocations> revocations, ClientProperties properties, RoutingProperties routing,
            ObjectProvider<MeterRegistry> meters, ObjectProvider<TagValues> tags, Environment environment,
            ObjectProvider<ConfirmingPublisher> publishers) {
        RoutingProperties.rejectUnbracketedGlobs(environment);
        return TaskClient.builder(bullpenAmqpConnectionFactory, results)
                .revocations(revocations.getIfAvailable())
                .settings(properties.toSettings(routing))
                .meters(meters.getIfAvailable(() -> Metrics.globalRegistry))
                .tags(tags.getIfAvailable(() -> TagValues.AS_IS))
                // An application that publishes anyway (a worker) has one connection for all its publishing.
                .sharing(publishers.getIfUnique())
                .build();
    }
}
