package dev.bullpen.test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * Where the tests' RabbitMQ and Redis are, resolved once per JVM (see {@link BullpenServices} for the
 * order: environment, Testcontainers, local services).
 */
record ServiceEndpoints(URI amqp, URI redis) {

    private static volatile ServiceEndpoints resolved;

    static ServiceEndpoints get() {
        if (resolved == null) {
            synchronized (ServiceEndpoints.class) {
                if (resolved == null) {
                    resolved = resolve();
                }
            }
        }
        return resolved;
    }

    private static ServiceEndpoints resolve() {
        String amqp = System.getenv("BULLPEN_TEST_AMQP_URI");
        String redis = System.getenv("BULLPEN_TEST_REDIS_URI");
        if (amqp != null && redis != null) {
            return new ServiceEndpoints(URI.create(amqp), URI.create(redis));
        }
        if (Containers.dockerAvailable()) {
            return Containers.start(amqp, redis);
        }
        URI localAmqp = URI.create(amqp != null ? amqp : "amqp://guest:guest@127.0.0.1:5672/%2F");
        URI localRedis = URI.create(redis != null ? redis : "redis://127.0.0.1:6379/0");
        if (answers(localAmqp, 5672) && answers(localRedis, 6379)) {
            return new ServiceEndpoints(localAmqp, localRedis);
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
        static ServiceEndpoints start(String amqp, String redis) {
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
            return new ServiceEndpoints(amqpUri, redisUri);
        }
    }
}
