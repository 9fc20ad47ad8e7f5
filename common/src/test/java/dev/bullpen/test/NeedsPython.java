package dev.bullpen.test;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class or method that runs Python: a Celery client, worker or {@code celery} command
 * ({@link PythonCelery}, {@link PythonCeleryWorker}), or Jupyter. It is JUnit's tag
 * {@value #TAG}, which the build leaves out unless the Maven profile {@code python} is on:
 *
 * <pre>{@code
 * ./mvnw -B verify            # without these tests: needs a JDK 21+ and RabbitMQ + Redis (or Docker)
 * ./mvnw -B verify -Ppython   # with them, as .ci/run does
 * }</pre>
 *
 * <p>With the profile on they need Debian's {@code python3-celery} and {@code python3-redis}
 * ({@code apt-get install python3-celery python3-redis}, or {@code pip install 'celery[redis]'}), and
 * for the examples' notebook {@code jupyter-nbconvert jupyter-client python3-ipykernel}. Without them
 * such a test fails, never skips, and its message says what to install ({@link PythonCelery#requireCelery}).
 *
 * <p>Put it on the class when every test of it runs Python (always when it registers a
 * {@link PythonCeleryWorker} extension), else on the methods that do. One class or method with it, on
 * its own: {@code -Ppython -Dit.test=CeleryClientInteropIntegrationTests}.
 */
@Documented
@Target({TYPE, METHOD})
@Retention(RUNTIME)
@Tag(NeedsPython.TAG)
public @interface NeedsPython {

    /** The JUnit tag: what the root pom's {@code excludedGroups} names. */
    String TAG = "python";
}
