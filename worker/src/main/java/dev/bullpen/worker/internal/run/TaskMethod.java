package dev.bullpen.worker.internal.run;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.worker.Args;
import dev.bullpen.worker.Kwargs;
import dev.bullpen.worker.Task;
import dev.bullpen.worker.TaskContext;
import dev.bullpen.worker.internal.limits.RateLimit;
import dev.bullpen.worker.internal.limits.TimeLimits;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One {@code @Task} method and how a call's args and kwargs bind to its parameters, with Python's
 * rules: positional first, then by name; leftovers go to {@code @Args}/{@code @Kwargs} or are an error.
 */
public final class TaskMethod {

    private enum Kind { CONTEXT, ARGS, KWARGS, VALUE }

    private record Slot(Kind kind, String name, JavaType type, boolean optional) {
    }

    private final String name;
    private final Object bean;
    private final Method method;
    private final List<Slot> slots;
    private final int valueSlots;
    private final boolean hasArgs;
    private final boolean hasKwargs;
    private final RetryPolicy retryPolicy;
    private final TimeLimits timeLimits;
    private final @Nullable RateLimit rateLimit;

    public TaskMethod(String name, Object bean, Method method) {
        this.name = name;
        this.bean = bean;
        this.method = method;
        this.method.trySetAccessible();
        // Read now, so that a bad retry setting stops the application rather than a task; from the
        // target class, where the annotation is, even when the bean is an interface proxy.
        Method annotated = AopUtils.getMostSpecificMethod(method, AopUtils.getTargetClass(bean));
        Task task = AnnotatedElementUtils.findMergedAnnotation(annotated, Task.class);
        this.retryPolicy = RetryPolicy.of(task);
        try {
            this.timeLimits = TimeLimits.of(task);
            this.rateLimit = task == null ? null : RateLimit.parse(task.rateLimit());
        } catch (IllegalArgumentException ex) {
            throw new IllegalStateException("task '" + name + "' (" + method + "): " + ex.getMessage(), ex);
        }
        ObjectMapper mapper = CeleryJson.mapper();
        List<Slot> slots = new ArrayList<>();
        for (Parameter p : method.getParameters()) {
            JavaType type = mapper.getTypeFactory().constructType(p.getParameterizedType());
            if (TaskContext.class.isAssignableFrom(p.getType())) {
                slots.add(new Slot(Kind.CONTEXT, p.getName(), type, false));
            } else if (p.isAnnotationPresent(Args.class)) {
                slots.add(new Slot(Kind.ARGS, p.getName(), type, false));
            } else if (p.isAnnotationPresent(Kwargs.class)) {
                slots.add(new Slot(Kind.KWARGS, p.getName(), type, false));
            } else {
                if (!p.isNamePresent()) {
                    throw new IllegalStateException("task '" + name + "' (" + method + "): parameter names are "
                            + "missing; compile with -parameters so kwargs can bind by name");
                }
                boolean optional = p.getType() == Optional.class;
                JavaType valueType = optional ? type.containedTypeOrUnknown(0) : type;
                slots.add(new Slot(Kind.VALUE, p.getName(), valueType, optional));
            }
        }
        this.slots = List.copyOf(slots);
        this.valueSlots = (int) slots.stream().filter(s -> s.kind() == Kind.VALUE).count();
        this.hasArgs = slots.stream().anyMatch(s -> s.kind() == Kind.ARGS);
        this.hasKwargs = slots.stream().anyMatch(s -> s.kind() == Kind.KWARGS);
    }

    String name() {
        return name;
    }

    /** How this task retries, from its {@code @Task} annotation. */
    RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** The time limits of its {@code @Task} annotation, before a call's own. */
    TimeLimits timeLimits() {
        return timeLimits;
    }

    /** The rate limit of its {@code @Task} annotation, before configuration; {@code null} for none. */
    public @Nullable RateLimit rateLimit() {
        return rateLimit;
    }

    String signature() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }

    /**
     * Calls the method.
     *
     * @throws TaskArgumentException when the call does not fit the signature
     * @throws Throwable whatever the task throws, unwrapped
     */
    @Nullable Object invoke(TaskContext context) throws Throwable {
        @Nullable Object[] values = bind(context.args(), context.kwargs(), context);
        try {
            return method.invoke(bean, values);
        } catch (InvocationTargetException ex) {
            throw ex.getCause();
        }
    }

    private @Nullable Object[] bind(ArrayNode args, ObjectNode kwargs, TaskContext context) {
        if (!hasArgs && args.size() > valueSlots) {
            throw new TaskArgumentException(name + "() takes " + valueSlots + " positional argument"
                    + (valueSlots == 1 ? "" : "s") + " but " + args.size() + " were given");
        }
        ObjectMapper mapper = CeleryJson.mapper();
        @Nullable Object[] values = new Object[slots.size()];
        Set<String> usedKwargs = new HashSet<>();
        int nextArg = 0;
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            switch (slot.kind()) {
                case CONTEXT -> values[i] = context;
                case ARGS, KWARGS -> { } // filled below, once the named ones have taken theirs
                case VALUE -> {
                    JsonNode node;
                    if (nextArg < args.size()) {
                        node = args.get(nextArg++);
                        if (kwargs.has(slot.name())) {
                            throw new TaskArgumentException(name + "() got multiple values for argument '" + slot.name() + "'");
                        }
                    } else if (kwargs.has(slot.name())) {
                        node = kwargs.get(slot.name());
                        usedKwargs.add(slot.name());
                    } else if (slot.optional()) {
                        values[i] = Optional.empty();
                        continue;
                    } else {
                        throw new TaskArgumentException(name + "() missing required argument '" + slot.name() + "'");
                    }
                    Object value = convert(mapper, node, slot);
                    values[i] = slot.optional() ? Optional.ofNullable(value) : value;
                }
            }
        }
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            if (slot.kind() == Kind.ARGS) {
                ArrayNode rest = mapper.createArrayNode();
                for (int a = nextArg; a < args.size(); a++) {
                    rest.add(args.get(a));
                }
                values[i] = convert(mapper, rest, slot);
            } else if (slot.kind() == Kind.KWARGS) {
                ObjectNode rest = mapper.createObjectNode();
                for (Map.Entry<String, JsonNode> e : kwargs.properties()) {
                    if (!usedKwargs.contains(e.getKey())) {
                        rest.set(e.getKey(), e.getValue());
                    }
                }
                values[i] = convert(mapper, rest, slot);
            }
        }
        if (!hasKwargs && usedKwargs.size() < kwargs.size()) {
            for (String key : kwargs.propertyNames()) {
                if (!usedKwargs.contains(key)) {
                    throw new TaskArgumentException(name + "() got an unexpected keyword argument '" + key + "'");
                }
            }
        }
        return values;
    }

    private @Nullable Object convert(ObjectMapper mapper, JsonNode node, Slot slot) {
        if (node.isNull() && slot.type().isPrimitive()) {
            throw new TaskArgumentException(name + "() argument '" + slot.name() + "' must be "
                    + slot.type().getRawClass().getSimpleName() + ", got None");
        }
        try {
            return mapper.treeToValue(node, slot.type());
        } catch (JacksonException | IllegalArgumentException ex) {
            throw new TaskArgumentException(name + "() argument '" + slot.name() + "': cannot convert "
                    + abbreviate(node) + " to " + slot.type().toCanonical(), ex);
        }
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
