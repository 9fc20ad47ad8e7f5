package dev.bullpen.protocol;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Celery protocol v2 task message: headers and properties, and the body
 * {@code [args, kwargs, embed]}.
 *
 * @param headers the AMQP headers
 * @param args positional arguments
 * @param kwargs keyword arguments
 * @param embed callbacks, errbacks, chain and chord
 * @param properties the AMQP basic properties
 */
public record TaskMessage(TaskHeaders headers, ArrayNode args, ObjectNode kwargs, Embed embed,
        DeliveryProperties properties) {

    public String id() {
        return headers.id();
    }

    public String task() {
        return headers.task();
    }
}
