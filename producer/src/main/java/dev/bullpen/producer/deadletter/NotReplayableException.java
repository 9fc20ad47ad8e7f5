package dev.bullpen.producer.deadletter;

/** A dead letter that is not whole (its body was dropped for its size, or its headers were unreadable): 409. */
final class NotReplayableException extends RuntimeException {

    NotReplayableException(String id, String why) {
        super("dead letter '" + id + "' cannot be replayed: " + why);
    }
}
