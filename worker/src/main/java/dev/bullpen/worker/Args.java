package dev.bullpen.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Collects the positional arguments left after the named parameters, like Python's {@code *args}.
 * Use on a {@code List<T>}, array or {@code JsonNode} parameter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Args {
}
