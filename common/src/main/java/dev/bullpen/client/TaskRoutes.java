package dev.bullpen.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which queue a task goes to by its name when the call names none ({@code bullpen.routes}, Celery's
 * {@code task_routes}): pattern to queue, where a pattern is a task name or a glob whose {@code *}
 * stands for one or more characters of any kind, dots included.
 *
 * <pre>{@code
 * TaskRoutes routes = TaskRoutes.of(Map.of("images.*", "images", "mail.send", "mail"));
 * routes.queueFor("images.thumbnail");   // Optional[images]
 * routes.queueFor("demo.add");           // Optional.empty: the client's default queue
 * }</pre>
 *
 * <p>Which pattern wins, whatever order they are written in:
 * <ol>
 * <li>an exact task name;</li>
 * <li>else the matching glob with the most characters besides {@code *} (the most specific:
 *     {@code images.thumbs.*} beats {@code images.*}, which beats {@code *});</li>
 * <li>between globs as specific as each other, the one declared first.</li>
 * </ol>
 * A glob must match the whole name. Celery tries its globs in the order written instead, and lets a
 * glob match the start of a name only; the rule here does not depend on the order in which Spring
 * merges property sources.
 */
public final class TaskRoutes {

    private static final TaskRoutes NONE = new TaskRoutes(Map.of(), List.of());

    private final Map<String, String> exact;
    private final List<Glob> globs;

    private TaskRoutes(Map<String, String> exact, List<Glob> globs) {
        this.exact = exact;
        this.globs = globs;
    }

    /** No routes: every task goes to the named or default queue. */
    public static TaskRoutes none() {
        return NONE;
    }

    /**
     * Routes from pattern to queue; the map's iteration order breaks ties between equally specific
     * globs.
     *
     * @throws IllegalArgumentException for a blank pattern or queue
     */
    public static TaskRoutes of(Map<String, String> routes) {
        Map<String, String> exact = new LinkedHashMap<>();
        List<Glob> globs = new ArrayList<>();
        routes.forEach((pattern, queue) -> {
            check(pattern, queue);
            if (pattern.contains("*")) {
                globs.add(Glob.of(pattern, queue));
            } else {
                exact.put(pattern, queue);
            }
        });
        // A stable sort keeps declaration order between globs of the same specificity.
        globs.sort(Comparator.comparingInt(Glob::literals).reversed());
        return new TaskRoutes(Map.copyOf(exact), List.copyOf(globs));
    }

    /** The queue routed for this task name, or empty when no pattern matches it. */
    public Optional<String> queueFor(String task) {
        String queue = exact.get(task);
        if (queue != null) {
            return Optional.of(queue);
        }
        for (Glob glob : globs) {
            if (glob.regex().matcher(task).matches()) {
                return Optional.of(glob.queue());
            }
        }
        return Optional.empty();
    }

    /** True when there are no routes. */
    public boolean isEmpty() {
        return exact.isEmpty() && globs.isEmpty();
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>();
        exact.forEach((pattern, queue) -> all.add(pattern + "=" + queue));
        globs.forEach(glob -> all.add(glob.pattern() + "=" + glob.queue()));
        return "TaskRoutes" + all;
    }

    private static void check(String pattern, String queue) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("bullpen.routes: a route's pattern must not be blank");
        }
        if (queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("bullpen.routes: the route '" + pattern + "' names no queue");
        }
    }

    /** A glob, its regular expression, and how specific it is. */
    private record Glob(String pattern, Pattern regex, int literals, String queue) {

        static Glob of(String pattern, String queue) {
            StringBuilder regex = new StringBuilder();
            int literals = 0;
            int from = 0;
            for (int star = pattern.indexOf('*'); star >= 0; star = pattern.indexOf('*', from)) {
                regex.append(quote(pattern.substring(from, star))).append(".+");
                literals += star - from;
                from = star + 1;
            }
            regex.append(quote(pattern.substring(from)));
            literals += pattern.length() - from;
            return new Glob(pattern, Pattern.compile(regex.toString(), Pattern.DOTALL), literals, queue);
        }

        private static String quote(String literal) {
            return literal.isEmpty() ? "" : Pattern.quote(literal);
        }
    }
}
