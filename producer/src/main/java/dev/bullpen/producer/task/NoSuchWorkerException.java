package dev.bullpen.producer.task;

import java.util.List;

/** A task for one named worker (or a broadcast) when no such worker is alive: answered 404, nothing sent. */
final class NoSuchWorkerException extends RuntimeException {

    private final String field;
    private final List<String> live;

    NoSuchWorkerException(String field, String message, List<String> live) {
        super(message);
        this.field = field;
        this.live = List.copyOf(live);
    }

    /** The request field at fault. */
    String field() {
        return field;
    }

    /** The workers that are alive, for the caller to pick from. */
    List<String> live() {
        return live;
    }
}
