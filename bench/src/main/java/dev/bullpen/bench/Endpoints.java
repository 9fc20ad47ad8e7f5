package dev.bullpen.bench;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.util.List;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Where the broker and Redis are. */
record Endpoints(URI amqp, URI redis) {

    ConnectionFactory amqpFactory() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqp);
        return factory;
    }

    LettuceConnectionFactory redisFactory() {
        return redisFactory(database());
    }

    LettuceConnectionFactory redisFactory(int database) {
        var config = new RedisStandaloneConfiguration(redis.getHost(), redis.getPort());
        config.setDatabase(database);
        LettuceConnectionFactory factory = new LettuceConnectionFactory(config);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    int database() {
        String path = redis.getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    /** Spring Boot arguments pointing a worker at the same services. */
    List<String> springArguments() {
        String[] user = amqp.getUserInfo() == null ? new String[] {"guest", "guest"} : amqp.getUserInfo().split(":", 2);
        String vhost = amqp.getPath() == null || amqp.getPath().length() <= 1 ? "/" : amqp.getPath().substring(1);
        return List.of("--spring.rabbitmq.host=" + amqp.getHost(),
                "--spring.rabbitmq.port=" + (amqp.getPort() < 0 ? 5672 : amqp.getPort()),
                "--spring.rabbitmq.username=" + user[0], "--spring.rabbitmq.password=" + (user.length > 1 ? user[1] : ""),
                "--spring.rabbitmq.virtual-host=" + vhost,
                "--spring.data.redis.host=" + redis.getHost(), "--spring.data.redis.port=" + redis.getPort(),
                "--spring.data.redis.database=" + database());
    }

    /** The same broker as a kombu URL, for Celery. */
    String celeryBroker() {
        String vhost = amqp.getPath() == null || amqp.getPath().length() <= 1 ? "/" : amqp.getPath().substring(1);
        return "amqp://" + (amqp.getUserInfo() == null ? "guest:guest" : amqp.getUserInfo()) + "@" + amqp.getHost() + ":"
                + (amqp.getPort() < 0 ? 5672 : amqp.getPort()) + "/" + (vhost.equals("/") ? "/" : vhost);
    }
}
