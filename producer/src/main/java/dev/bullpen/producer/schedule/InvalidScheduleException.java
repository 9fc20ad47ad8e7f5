package dev.bullpen.producer.schedule;

/** A schedule refused, by the API with 400 or at startup, naming the field at fault. */
final class InvalidScheduleException extends RuntimeException {

    private final String field;

    InvalidScheduleException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    String field() {
        return field;
    }
}
