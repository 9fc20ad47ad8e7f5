package dev.bullpen.test;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

/**
 * The real RabbitMQ and Redis for a test class, with names of its own.
 *
 * <p>Where the services come from, first match wins:
 * <ol>
 * <li>{@code BULLPEN_TEST_AMQP_URI} and {@code BULLPEN_TEST_REDIS_URI} (e.g.
 *     {@code amqp://guest:guest@127.0.0.1:5672/} and {@code redis://127.0.0.1:6379/0});</li>
 * <li>Testcontainers, when a Docker engine answers;</li>
 * <li>the local services on 127.0.0.1:5672 and 127.0.0.1:6379, when they answer.</li>
 * </ol>
 * With none of these the test fails, saying how to start them: broker tests never skip.
 *
 * <p>Each class gets a namespace: {@link #queue(String)} names queues inside it and
 * {@link #redisPrefix()} prefixes Redis keys. After the class, its queues and keys are deleted;
 * nothing else on the shared broker or Redis is touched.
 *
 * <pre>{@code
 * @RegisterExtension static final BullpenServices services = BullpenServices.perClass();
 * }</pre>
 */
public final class BullpenServices implements AfterAllCallback {

    private final String namespace;
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private final java.util.Deque<AutoCloseable> closeFirst = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile @Nullable LettuceConnectionFactory redis;
    /** A virtual host of the class's own, or null to share the broker's default one. */
    private final @Nullable String vhost;
    private volatile boolean vhostCreated;

    private BullpenServices(String namespace, boolean ownVhost) {
        this.namespace = namespace;
        this.vhost = ownVhost ? namespace : null;
    }

    /** A fresh namespace for one test class. */
    public static BullpenServices perClass() {
        return new BullpenServices(namespaceOf(StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .getCallerClass()), false);
    }

    /**
     * A fresh namespace in a virtual host of the class's own, made through the management API and
     * deleted after the class with all in it: for tests that publish messages that could poison a
     * queue, so that nothing they do can reach another test's queues or consumers.
     */
    public static BullpenServices perClassInOwnVhost() {
        return new BullpenServices(namespaceOf(StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .getCallerClass()), true);
    }

    private static String namespaceOf(Class<?> caller) {
        String tag = caller.getSimpleName().replaceAll("(IntegrationTests|Tests)$", "").toLowerCase(Locale.ROOT);
        return "bp-" + tag + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** This class's namespace, e.g. {@code bp-worker-1a2b3c4d}. */
    public String namespace() {
        return namespace;
    }

    /** A queue name inside this class's namespace; the queue and its {@code .dlq} are deleted after the class. */
    public String queue(String name) {
        String queue = namespace + "." + name;
        queues.add(queue);
        return queue;
    }

    /**
     * A worker node name inside this class's namespace, {@code <tag>@<namespace>}, whose direct queue
     * ({@code <name>.dq2}, Celery's {@code worker_direct}) and its {@code .dlq} are deleted after the class.
     * Ping or broadcast to this class's workers only with the glob {@link #workerPattern()}.
     */
    public String workerName(String tag) {
        String node = tag + "@" + namespace;
        queues.add(node + ".dq2");
        return node;
    }

    /** The glob that matches this class's {@link #workerName} nodes and no other test's. */
    public String workerPattern() {
        return "*@" + namespace;
    }

    /** The Redis key prefix of this class ({@code global_keyprefix} in Celery's terms). */
    public String redisPrefix() {
        return namespace + ":";
    }

    /** The broker, with this class's own virtual host in its path when it has one. */
    public URI amqpUri() {
        URI shared = ServiceEndpoints.get().amqp();
        if (vhost == null) {
            return shared;
        }
        createVhost(shared);
        return URI.create(shared.getScheme() + "://" + shared.getRawAuthority() + "/" + vhost);
    }

    /** This class's virtual host, or {@code null} when it shares the default one. */
    public @Nullable String ownVhost() {
        return vhost;
    }

    private void createVhost(URI shared) {
        if (vhostCreated) {
            return;
        }
        synchronized (this) {
            if (vhostCreated) {
                return;
            }
            new BrokerManagement(shared).createVhost(vhost, userOf(shared)[0]);
            vhostCreated = true;
        }
    }

    /** The user and password of an AMQP URI, guest's when it names none. */
    static String[] userOf(URI amqp) {
        String[] user = amqp.getUserInfo() == null ? new String[] {"guest", "guest"} : amqp.getUserInfo().split(":", 2);
        return user.length > 1 ? user : new String[] {user[0], ""};
    }

    /**
     * The virtual host of {@link #amqpUri()}, as RabbitMQ names it: a URI with no path or the path
     * {@code /} means the default vhost {@code /}. (By the AMQP URI spec {@code amqp://host/} names the
     * empty vhost, which RabbitMQ refuses; the URIs here never mean that.)
     */
    public String virtualHost() {
        String path = amqpUri().getPath();
        return path == null || path.length() <= 1 ? "/" : path.substring(1);
    }

    public URI redisUri() {
        return ServiceEndpoints.get().redis();
    }

    /** A RabbitMQ client connection factory for the test broker, in {@link #virtualHost()}. */
    public ConnectionFactory amqpConnectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        URI uri = amqpUri();
        try {
            factory.setUri(uri);
        } catch (Exception ex) {
            throw new IllegalStateException("bad AMQP URI " + uri, ex);
        }
        // The one reading of the URI's vhost, the one springProperties() gives Spring too.
        factory.setVirtualHost(virtualHost());
        return factory;
    }

    /** A started Spring Data Redis connection factory for the test Redis, closed after the class. */
    public synchronized LettuceConnectionFactory redisConnectionFactory() {
        if (redis == null) {
            URI uri = redisUri();
            var config = new RedisStandaloneConfiguration(uri.getHost(), uri.getPort());
            config.setDatabase(redisDatabase());
            LettuceConnectionFactory factory = new LettuceConnectionFactory(config);
            factory.afterPropertiesSet();
            factory.start();
            redis = factory;
        }
        return redis;
    }

    public int redisDatabase() {
        String path = redisUri().getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    /**
     * Spring Boot properties that point an application at the test services, in Boot's standard
     * names ({@code spring.rabbitmq.*}, {@code spring.data.redis.*}) plus the class's key prefix, and
     * for a producer, the class's own queues ({@code <namespace>.*}) as queues a request may name
     * (a worker ignores that setting).
     */
    public Map<String, String> springProperties() {
        URI amqp = amqpUri();
        String[] user = userOf(amqp);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("spring.rabbitmq.host", amqp.getHost());
        props.put("spring.rabbitmq.port", Integer.toString(amqp.getPort() < 0 ? 5672 : amqp.getPort()));
        props.put("spring.rabbitmq.username", user[0]);
        props.put("spring.rabbitmq.password", user[1]);
        props.put("spring.rabbitmq.virtual-host", virtualHost());
        props.put("spring.data.redis.host", redisUri().getHost());
        props.put("spring.data.redis.port", Integer.toString(redisUri().getPort()));
        props.put("spring.data.redis.database", Integer.toString(redisDatabase()));
        props.put("bullpen.result.key-prefix", redisPrefix());
        props.put("bullpen.producer.queue-patterns[0]", namespace + ".*");
        return props;
    }

    /** Deletes a queue if it exists. */
    public void deleteQueue(String queue) {
        try (Connection c = amqpConnectionFactory().newConnection("bullpen-test-cleanup"); Channel ch = c.createChannel()) {
            ch.queueDelete(queue);
            ch.exchangeDelete(queue);
        } catch (Exception ignored) {
            // Already gone.
        }
    }

    /**
     * Closes {@code resource} after the class, before its queues and keys are deleted: a worker still
     * consuming from a queue being deleted would only declare it again. Last registered, first closed.
     */
    public void closeFirst(AutoCloseable resource) {
        closeFirst.addFirst(resource);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Exception failed = null;
        for (AutoCloseable resource : closeFirst) {
            try {
                resource.close();
            } catch (Exception ex) {
                failed = ex;
            }
        }
        closeFirst.clear();
        if (vhostCreated) {
            new BrokerManagement(ServiceEndpoints.get().amqp()).deleteVhost(vhost);
            vhostCreated = false;
        }
        for (String queue : vhost != null ? Set.<String>of() : queues) {
            for (String q : List.of(queue, queue + ".dlq")) {
                deleteQueue(q);
            }
        }
        directQueuesOfThisClass().forEach(this::deleteQueue);
        LettuceConnectionFactory factory = redisConnectionFactory();
        try (var connection = factory.getConnection();
             Cursor<byte[]> keys = connection.keyCommands().scan(ScanOptions.scanOptions().match(redisPrefix() + "*").count(1000).build())) {
            while (keys.hasNext()) {
                connection.keyCommands().del(keys.next());
            }
        }
        factory.destroy();
        redis = null;
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Durable direct queues ({@code <node>.dq2}, Celery's {@code worker_direct}) of workers whose node
     * name holds this class's namespace, however the test named them; found through the management API
     * (best effort: without it, only the queues named by {@link #workerName} are deleted).
     */
    private List<String> directQueuesOfThisClass() {
        if (vhost != null) {
            return List.of(); // deleted with the virtual host
        }
        try {
            return new BrokerManagement(amqpUri()).queueNames().stream()
                    .filter(name -> name.contains(namespace) && (name.endsWith(".dq2") || name.endsWith(".dq2.dlq")))
                    .toList();
        } catch (RuntimeException | AssertionError ex) {
            return List.of();
        }
    }
}
