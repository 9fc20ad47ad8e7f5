package dev.bullpen.bench;

import java.net.URI;
import picocli.CommandLine.Option;

/** {@code --amqp} and {@code --redis}, the same on every bench command (a picocli mixin). */
final class EndpointOptions {

    @Option(names = "--amqp", description = "broker URI (default ${DEFAULT-VALUE})")
    URI amqp = URI.create("amqp://guest:guest@127.0.0.1:5672/%2F");

    @Option(names = "--redis", description = "Redis URI (default ${DEFAULT-VALUE})")
    URI redis = URI.create("redis://127.0.0.1:6379/0");

    Endpoints endpoints() {
        return new Endpoints(amqp, redis);
    }
}
