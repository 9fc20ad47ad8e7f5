package dev.bullpen.worker.internal.run;

import dev.bullpen.worker.Task;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds {@link Task} methods on Spring beans as they are created and keeps them by task name.
 * Two methods claiming one name stop the application: which one ran would be a guess.
 */
public final class TaskRegistry implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(TaskRegistry.class);

    private final Map<String, TaskMethod> tasks = new ConcurrentHashMap<>();
    /** Celery's {@code celery.*} built-ins: found by name, but not listed among the application's tasks. */
    private final Map<String, TaskMethod> builtins = new ConcurrentHashMap<>();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        Map<Method, Task> methods = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<Task>) m -> AnnotatedElementUtils.findMergedAnnotation(m, Task.class));
        methods.forEach((method, task) -> register(task.value(), bean, AopUtils.selectInvocableMethod(method, bean.getClass())));
        return bean;
    }

    public void register(String name, Object bean, Method method) {
        if (name.isBlank()) {
            throw new IllegalStateException("@Task on " + method + " has a blank name");
        }
        TaskMethod added = new TaskMethod(name, bean, method);
        TaskMethod previous = tasks.putIfAbsent(name, added);
        if (previous != null) {
            throw new IllegalStateException("task '" + name + "' is registered twice: " + previous.signature()
                    + " and " + added.signature());
        }
        log.debug("Registered task {} -> {}", name, added.signature());
    }

    /** Adds or replaces a built-in; an application task of the same name comes first. */
    void registerBuiltin(String name, Object bean, Method method) {
        builtins.put(name, new TaskMethod(name, bean, method));
    }

    public @Nullable TaskMethod find(String name) {
        TaskMethod task = tasks.get(name);
        return task != null ? task : builtins.get(name);
    }

    /** The registered task names, sorted; without the built-ins, as Celery's {@code inspect registered} leaves them out. */
    public Set<String> names() {
        return new TreeSet<>(tasks.keySet());
    }
}
