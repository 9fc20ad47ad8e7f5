package dev.bullpen.test;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.Socket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
    private volatile LettuceConnectionFactory redis;
    /** A virtual host of the class's own, or null to share the broker's default one. */
    private final String vhost;
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
        URI shared = Endpoints.get().amqp();
        if (vhost == null) {
            return shared;
        }
        createVhost(shared);
        return URI.create(shared.getScheme() + "://" + shared.getRawAuthority() + "/" + vhost);
    }

    /** This class's virtual host, or {@code null} when it shares the default one. */
    public String ownVhost() {
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
            String user = userOf(shared)[0];
            management(shared, "PUT", "/api/vhosts/" + vhost, "");
            management(shared, "PUT", "/api/permissions/" + vhost + "/" + user,
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
            vhostCreated = true;
        }
    }

    private static String[] userOf(URI amqp) {
        String[] user = amqp.getUserInfo() == null ? new String[] {"guest", "guest"} : amqp.getUserInfo().split(":", 2);
        return user.length > 1 ? user : new String[] {user[0], ""};
    }

    /** A call to the broker's management API (on 15672 of the broker's host); fails the test if it fails. */
    private static void management(URI amqp, String method, String path, String json) {
        String[] user = userOf(amqp);
        String auth = Base64.getEncoder().encodeToString((user[0] + ":" + user[1]).getBytes(StandardCharsets.UTF_8));
        // HTTP/1.1: the broker's server drops a body sent with the client's default h2c upgrade.
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + amqp.getHost() + ":15672" + path))
                    .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                    .method(method, json.isEmpty() && !method.equals("PUT") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(json))
                    .timeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300 && !(method.equals("DELETE") && response.statusCode() == 404)) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
        } catch (java.io.IOException | InterruptedException ex) {
            throw new IllegalStateException("the management API (rabbitmq_management on :15672) is needed for a "
                    + "test's own virtual host: " + method + " " + path + " failed: " + ex, ex);
        }
    }

    public URI redisUri() {
        return Endpoints.get().redis();
    }

    /** A RabbitMQ client connection factory for the test broker. */
    public ConnectionFactory amqpConnectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        URI uri = amqpUri();
        try {
            factory.setUri(uri);
        } catch (Exception ex) {
            throw new IllegalStateException("bad AMQP URI " + uri, ex);
        }
        if (uri.getPath() == null || uri.getPath().length() <= 1) {
            // By the AMQP URI spec "amqp://host/" names the empty vhost, which RabbitMQ refuses; the
            // URIs here (and springProperties()) mean the default vhost "/".
            factory.setVirtualHost("/");
        }
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
        String[] user = amqp.getUserInfo() == null ? new String[] {"guest", "guest"} : amqp.getUserInfo().split(":", 2);
        String vhost = amqp.getPath() == null || amqp.getPath().length() <= 1 ? "/" : amqp.getPath().substring(1);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("spring.rabbitmq.host", amqp.getHost());
        props.put("spring.rabbitmq.port", Integer.toString(amqp.getPort() < 0 ? 5672 : amqp.getPort()));
        props.put("spring.rabbitmq.username", user[0]);
        props.put("spring.rabbitmq.password", user.length > 1 ? user[1] : "");
        props.put("spring.rabbitmq.virtual-host", vhost);
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

    @Override
    public void afterAll(ExtensionContext context) {
        if (vhostCreated) {
            management(Endpoints.get().amqp(), "DELETE", "/api/vhosts/" + vhost, "");
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
    }

    private static final Pattern QUEUE_NAME = Pattern.compile("\"name\":\"([^\"]+)\"");

    /**
     * Durable direct queues ({@code <node>.dq2}, Celery's {@code worker_direct}) of workers whose node
     * name holds this class's namespace, however the test named them; found through the management API
     * (best effort: without it, only the queues named by {@link #workerName} are deleted).
     */
    private List<String> directQueuesOfThisClass() {
        if (vhost != null) {
            return List.of(); // deleted with the virtual host
        }
        URI amqp = amqpUri();
        String[] user = amqp.getUserInfo() == null ? new String[] {"guest", "guest"} : amqp.getUserInfo().split(":", 2);
        String auth = Base64.getEncoder().encodeToString((user[0] + ":" + (user.length > 1 ? user[1] : ""))
                .getBytes(StandardCharsets.UTF_8));
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + amqp.getHost() + ":15672/api/queues?columns=name"))
                    .header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return List.of();
            }
            List<String> found = new java.util.ArrayList<>();
            Matcher m = QUEUE_NAME.matcher(response.body());
            while (m.find()) {
                String name = m.group(1);
                if (name.contains(namespace) && (name.endsWith(".dq2") || name.endsWith(".dq2.dlq"))) {
                    found.add(name);
                }
            }
            return found;
        } catch (Exception ex) {
            return List.of();
        }
    }

    /** Resolved once per JVM. */
    private record Endpoints(URI amqp, URI redis) {

        private static volatile Endpoints resolved;

        static Endpoints get() {
            if (resolved == null) {
                synchronized (Endpoints.class) {
                    if (resolved == null) {
                        resolved = resolve();
                    }
                }
            }
            return resolved;
        }

        private static Endpoints resolve() {
            String amqp = System.getenv("BULLPEN_TEST_AMQP_URI");
            String redis = System.getenv("BULLPEN_TEST_REDIS_URI");
            if (amqp != null && redis != null) {
                return new Endpoints(URI.create(amqp), URI.create(redis));
            }
            if (Containers.dockerAvailable()) {
                return Containers.start(amqp, redis);
            }
            URI localAmqp = URI.create(amqp != null ? amqp : "amqp://guest:guest@127.0.0.1:5672/%2F");
            URI localRedis = URI.create(redis != null ? redis : "redis://127.0.0.1:6379/0");
            if (answers(localAmqp, 5672) && answers(localRedis, 6379)) {
                return new Endpoints(localAmqp, localRedis);
            }
            throw new IllegalStateException("""
                    No RabbitMQ and Redis for the tests: no Docker engine for Testcontainers, and nothing answers on \
                    %s and %s. Start them, e.g.
                      rabbitmq-server -detached
                      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
                    or point BULLPEN_TEST_AMQP_URI and BULLPEN_TEST_REDIS_URI at running ones.""".formatted(localAmqp, localRedis));
        }

        private static boolean answers(URI uri, int defaultPort) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort()), 1000);
                return true;
            } catch (Exception ex) {
                return false;
            }
        }
    }

    /** Testcontainers, touched only when Docker answers, so its classes load only then. */
    private static final class Containers {

        static boolean dockerAvailable() {
            try {
                return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable ex) {
                return false;
            }
        }

        @SuppressWarnings("resource")
        static Endpoints start(String amqp, String redis) {
            URI amqpUri;
            if (amqp != null) {
                amqpUri = URI.create(amqp);
            } else {
                var rabbit = new org.testcontainers.rabbitmq.RabbitMQContainer("rabbitmq:3.13-management");
                rabbit.start();
                amqpUri = URI.create("amqp://guest:guest@" + rabbit.getHost() + ":" + rabbit.getAmqpPort() + "/%2F");
            }
            URI redisUri;
            if (redis != null) {
                redisUri = URI.create(redis);
            } else {
                var container = new org.testcontainers.containers.GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
                container.start();
                redisUri = URI.create("redis://" + container.getHost() + ":" + container.getMappedPort(6379) + "/0");
            }
            return new Endpoints(amqpUri, redisUri);
        }
    }
}
