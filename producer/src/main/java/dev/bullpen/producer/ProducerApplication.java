package dev.bullpen.producer;

import dev.bullpen.producer.schedule.ScheduleDefinitions;
import dev.bullpen.producer.schedule.SchedulerProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The producer service: {@code POST /api/tasks} to send a task, {@code GET /api/tasks/{id}} to read
 * it. RabbitMQ and Redis come from Boot's {@code spring.rabbitmq.*} and {@code spring.data.redis.*}.
 */
@SpringBootApplication
@EnableConfigurationProperties({ProducerProperties.class, MonitorProperties.class, SchedulerProperties.class,
        ScheduleDefinitions.class})
public class ProducerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ProducerApplication.class, args);
    }
}
