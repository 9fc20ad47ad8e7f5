package dev.bullpen.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Collects the keyword arguments that no parameter is named after, like Python's {@code **kwargs}.
 * Use on a {@code Map<String, T>} or {@code JsonNode} parameter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Kwargs {
}
