package dev.bullpen.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers a method of a Spring bean as a task, under a name that clients (Java or Python) send.
 *
 * <pre>{@code
 * @Component
 * class Arithmetic {
 *     @Task("demo.add")
 *     int add(int x, int y) {
 *         return x + y;
 *     }
 * }
 * }</pre>
 *
 * <p>Positional args bind to parameters in order and kwargs by parameter name (compile with
 * {@code -parameters}); Jackson converts each JSON value to the parameter's type. A
 * {@link TaskContext} parameter receives the running task. The return value, converted to JSON,
 * is the result; a thrown exception is a FAILURE carrying its type, message and stack trace.
 * A mismatch between the call and the signature is a FAILURE of type {@code TypeError}, as in Python.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Task {

    /** The task name, e.g. {@code "images.resize"}. */
    String value();
}
