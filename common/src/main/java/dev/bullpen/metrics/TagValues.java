package dev.bullpen.metrics;

/**
 * The tag values task and queue names become on the client's meters. Each distinct value is a time
 * series of its own, so where the names come from callers (the HTTP producer), only names the
 * application knows are kept, and the rest share {@link MeterNames#UNREGISTERED} or
 * {@link MeterNames#OTHER_QUEUE}; an application that picks its own names keeps them {@link #AS_IS}.
 */
public interface TagValues {

    /** Every name is its own tag value. */
    TagValues AS_IS = new TagValues() {
        @Override
        public String task(String name) {
            return name;
        }

        @Override
        public String queue(String name) {
            return name;
        }
    };

    /** The tag value for a task name; called for every message, so it must be cheap. */
    String task(String name);

    /** The tag value for a queue name; called for every message, so it must be cheap. */
    String queue(String name);
}
