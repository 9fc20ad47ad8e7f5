package dev.bullpen.producer.task;

/** A request the API refuses with 400, naming the field at fault so that the caller can fix it. */
final class InvalidTaskRequestException extends RuntimeException {

    private final String field;

    /**
     * @param field the request field at fault, or {@code body} when the body as a whole is
     * @param detail what is wrong, for the problem's {@code detail}
     */
    InvalidTaskRequestException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    String field() {
        return field;
    }
}
