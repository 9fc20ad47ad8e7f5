package dev.bullpen.producer.workflow;

/** A workflow the API refuses with 400, naming where in the body the fault is. */
final class InvalidWorkflowException extends RuntimeException {

    private final String field;

    /**
     * @param field the path to the fault, e.g. {@code chain[1].args}, or {@code body}
     * @param detail what is wrong
     */
    InvalidWorkflowException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    String field() {
        return field;
    }
}
