package dev.bullpen.worker.test;

import dev.bullpen.client.TaskClient;
import dev.bullpen.test.BullpenServices;
import dev.bullpen.worker.app.WorkerApplication;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Bullpen worker running in the test's JVM ({@link WorkerApplication} with no web server) on the
 * test class's {@link BullpenServices}: as a JUnit extension, started before the class's tests and
 * closed after them, before the services delete the class's queues.
 *
 * <pre>{@code
 * @RegisterExtension static final BullpenServices services = BullpenServices.perClass();
 * static final String QUEUE = services.queue("tasks");
 * @RegisterExtension static final InProcessWorker worker = InProcessWorker.on(services).queues(QUEUE).build();
 * }</pre>
 *
 * <p>A test that starts and stops workers itself takes a context of its own with {@link Builder#run()}.
 */
public final class InProcessWorker implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private final Builder settings;
    private volatile @Nullable ConfigurableApplicationContext context;

    private InProcessWorker(Builder settings) {
        this.settings = settings;
    }

    /** A worker on these services. */
    public static Builder on(BullpenServices services) {
        return new Builder(services);
    }

    /** What the worker consumes and how; every setting is a Spring property given as an argument. */
    public static final class Builder {

        private final BullpenServices services;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final List<Class<?>> sources = new ArrayList<>(List.of(WorkerApplication.class));
        private boolean applicationDefaults;

        private Builder(BullpenServices services) {
            this.services = services;
        }

        /** {@code bullpen.worker.queues}. */
        public Builder queues(String... queues) {
            return property("bullpen.worker.queues", String.join(",", queues));
        }

        /** {@code bullpen.worker.name}, e.g. a {@link BullpenServices#workerName(String)}. */
        public Builder name(String nodeName) {
            return property("bullpen.worker.name", nodeName);
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, String> more) {
            properties.putAll(more);
            return this;
        }

        /** More configuration, e.g. a test's {@code @TestConfiguration} with its tasks. */
        public Builder with(Class<?>... configuration) {
            sources.addAll(List.of(configuration));
            return this;
        }

        /**
         * {@link WorkerApplication#DEFAULTS} and {@code bullpen.worker.enabled=true} as arguments, so that
         * they win over another module's configuration files on the class path (the producer's tests
         * switch the worker off there).
         */
        public Builder withApplicationDefaults() {
            applicationDefaults = true;
            return this;
        }

        /** The extension: started before the class's tests, closed after them. */
        public InProcessWorker build() {
            return new InProcessWorker(this);
        }

        /** Starts a worker now, for a test that closes it itself. */
        public ConfigurableApplicationContext run() {
            Map<String, Object> props = new LinkedHashMap<>();
            if (applicationDefaults) {
                props.putAll(WorkerApplication.DEFAULTS);
                props.put("bullpen.worker.enabled", "true");
            }
            props.putAll(services.springProperties());
            props.put("spring.main.web-application-type", "none");
            props.put("spring.jmx.enabled", "false");
            props.putAll(properties);
            // Arguments, not default properties: they must win over the configuration files on the class path.
            String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).run(args);
        }
    }

    @Override
    public void beforeAll(ExtensionContext extension) {
        start();
    }

    /** Starts the worker unless it runs; the services close it before they clean up. */
    public synchronized InProcessWorker start() {
        if (context == null) {
            context = settings.run();
            settings.services.closeFirst(this);
        }
        return this;
    }

    /** The worker's Spring context. */
    public ConfigurableApplicationContext context() {
        ConfigurableApplicationContext running = context;
        if (running == null) {
            throw new IllegalStateException("the in-process worker is not started: register it with @RegisterExtension");
        }
        return running;
    }

    public <T> T bean(Class<T> type) {
        return context().getBean(type);
    }

    /** The worker's own client (its context's), sending to its default queue. */
    public TaskClient client() {
        return bean(TaskClient.class);
    }

    @Override
    public void afterAll(ExtensionContext extension) {
        close();
    }

    @Override
    public synchronized void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
