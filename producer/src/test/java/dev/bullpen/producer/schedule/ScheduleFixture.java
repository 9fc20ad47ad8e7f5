package dev.bullpen.producer.schedule;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.bullpen.autoconfigure.ResultProperties;
import dev.bullpen.client.BrokerTopology;
import dev.bullpen.producer.ProducerApplication;
import dev.bullpen.test.BullpenServices;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Producers started and stopped by the test, as separate Spring contexts in this JVM sharing the
 * class's Redis key prefix; the queues the schedules publish to, read with raw AMQP; and the test's
 * own view of the schedules in Redis.
 */
final class ScheduleFixture implements AutoCloseable {

    /** A message a schedule published: its task name and id. */
    record Published(String task, String id) {
    }

    private final BullpenServices services;
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private Connection connection;
    private ScheduleStore store;

    ScheduleFixture(BullpenServices services) {
        this.services = services;
    }

    /** A queue of the class's namespace, declared now so that it can be read before anything is sent, deleted on close. */
    String queue(String name) throws Exception {
        String queue = services.namespace() + "." + name;
        queues.add(queue);
        try (Channel channel = connection().createChannel()) {
            BrokerTopology.declareQueueLikeCelery(channel, queue);
        }
        return queue;
    }

    /** A producer without a web server, on the test's services and key prefix, with these properties on top. */
    ConfigurableApplicationContext producer(Map<String, String> properties) {
        return start(WebApplicationType.NONE, properties);
    }

    /** A producer with its HTTP API on a random port ({@code local.server.port}). */
    ConfigurableApplicationContext webProducer(Map<String, String> properties) {
        Map<String, String> withPort = new LinkedHashMap<>(properties);
        withPort.put("server.port", "0");
        return start(WebApplicationType.SERVLET, withPort);
    }

    private ConfigurableApplicationContext start(WebApplicationType web, Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>(services.springProperties());
        all.putAll(properties);
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ProducerApplication.class)
                .web(web).run(args);
        synchronized (started) {
            started.add(context);
        }
        return context;
    }

    /** Takes every message off the queue. */
    List<Published> drain(String queue) throws Exception {
        List<Published> messages = new ArrayList<>();
        try (Channel channel = connection().createChannel()) {
            for (GetResponse message; (message = channel.basicGet(queue, true)) != null; ) {
                Map<String, Object> headers = message.getProps().getHeaders();
                messages.add(new Published(String.valueOf(headers.get("task")), String.valueOf(headers.get("id"))));
            }
        }
        return messages;
    }

    /** The test's own reader of the schedules, on the class's key prefix. */
    synchronized ScheduleStore store() {
        if (store == null) {
            StringRedisTemplate redis = new StringRedisTemplate(services.redisConnectionFactory());
            store = new ScheduleStore(redis, new ResultProperties(services.redisPrefix(), Duration.ofDays(1),
                    org.springframework.util.unit.DataSize.ofMegabytes(8)));
        }
        return store;
    }

    ScheduleRuns runs(String name) {
        return store().runs(store().find(name).orElseThrow());
    }

    /** The task ids of the ticks from {@code first} to {@code last}, each a second apart. */
    List<String> idsOfTicks(String name, Instant first, Instant last) {
        List<String> ids = new ArrayList<>();
        for (Instant tick = first; !tick.isAfter(last); tick = tick.plusSeconds(1)) {
            ids.add(idOf(name, tick));
        }
        return ids;
    }

    /** A tick's id, keyed with the secret the producers share in Redis (made here if none has made it yet). */
    String idOf(String name, Instant tick) {
        return tickSecret().ids().taskId(services.redisPrefix(), name, tick);
    }

    synchronized TickSecret tickSecret() {
        return new TickSecret(new StringRedisTemplate(services.redisConnectionFactory()),
                new ResultProperties(services.redisPrefix(), Duration.ofDays(1), org.springframework.util.unit.DataSize.ofMegabytes(8)),
                new SchedulerProperties(true, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofHours(1), null));
    }

    private synchronized Connection connection() throws Exception {
        if (connection == null || !connection.isOpen()) {
            Map<String, String> p = services.springProperties();
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost(p.get("spring.rabbitmq.host"));
            factory.setPort(Integer.parseInt(p.get("spring.rabbitmq.port")));
            factory.setUsername(p.get("spring.rabbitmq.username"));
            factory.setPassword(p.get("spring.rabbitmq.password"));
            factory.setVirtualHost(p.get("spring.rabbitmq.virtual-host"));
            connection = factory.newConnection("bullpen-schedule-test");
        }
        return connection;
    }

    @Override
    public synchronized void close() throws Exception {
        synchronized (started) {
            started.forEach(ConfigurableApplicationContext::close);
        }
        for (String queue : queues) {
            try (Channel channel = connection().createChannel()) {
                channel.queueDelete(queue);
            } catch (Exception ex) {
                // Already gone.
            }
        }
        if (connection != null && connection.isOpen()) {
            connection.close();
        }
    }
}
