/**
 * Spring Boot auto-configuration: a {@link dev.bullpen.result.ResultBackend} and a
 * {@link dev.bullpen.client.TaskClient} from Boot's standard {@code spring.rabbitmq.*} and
 * {@code spring.data.redis.*} settings, tuned by {@code bullpen.result.*} and {@code bullpen.client.*}.
 */
@NullMarked
package dev.bullpen.autoconfigure;

import org.jspecify.annotations.NullMarked;
