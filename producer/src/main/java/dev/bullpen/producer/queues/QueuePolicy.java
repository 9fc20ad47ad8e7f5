package dev.bullpen.producer.queues;

import dev.bullpen.autoconfigure.ClientProperties;
import dev.bullpen.autoconfigure.RoutingProperties;
import dev.bullpen.logging.ControlCharacters;
import dev.bullpen.producer.ProducerProperties;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Which queues a request may name. Sending to a queue makes the broker declare it (durable, as Celery
 * does), so a caller who could name any queue could create them without end, or plant a message in
 * a dead-letter queue for someone to replay. Accepted: the configured queues
 * ({@code bullpen.client.default-queue}, the queues of {@code bullpen.routes}, the names in
 * {@code bullpen.queues}) and those matching {@code bullpen.producer.queue-patterns}. Refused always,
 * whatever a pattern says: names the broker, Bullpen or Celery keep for themselves.
 */
@Component
public class QueuePolicy {

    private final Set<String> configured;
    private final List<Pattern> patterns = new ArrayList<>();
    private final List<String> patternTexts;

    public QueuePolicy(ClientProperties client, RoutingProperties routing, ProducerProperties producer) {
        Set<String> names = new LinkedHashSet<>();
        names.add(client.defaultQueue());
        names.addAll(routing.routes().values());
        names.addAll(routing.queues().keySet());
        for (String name : names) {
            String reserved = reserved(name);
            if (reserved != null && (name.equals(client.defaultQueue()) || routing.routes().containsValue(name))) {
                throw new IllegalStateException("The queue '" + name + "' (bullpen.client.default-queue or "
                        + "bullpen.routes) is reserved: " + reserved);
            }
        }
        names.removeIf(name -> reserved(name) != null);
        this.configured = Set.copyOf(names);
        this.patternTexts = producer.queuePatterns();
        producer.queuePatterns().forEach(glob -> patterns.add(glob(glob)));
    }

    /** The queues named in the configuration, reserved ones left out. */
    public Set<String> configured() {
        return configured;
    }

    /**
     * Why a request may not name this queue, for a 400's detail (it names the setting to change), or
     * null when it may.
     */
    public @Nullable String refusal(String queue) {
        if (ControlCharacters.indexOf(queue) >= 0) {
            return "a queue name must not contain control characters";
        }
        String reserved = reserved(queue);
        if (reserved != null) {
            return "queue '" + queue + "' is reserved: " + reserved;
        }
        if (configured.contains(queue) || patterns.stream().anyMatch(p -> p.matcher(queue).matches())) {
            return null;
        }
        return "queue '" + queue + "' is not one of this producer's queues " + configured.stream().sorted().toList()
                + (patternTexts.isEmpty() ? "" : " and matches none of " + patternTexts) + "; add it to bullpen.queues "
                + "(or route tasks to it in bullpen.routes), or match it in bullpen.producer.queue-patterns";
    }

    /** Why a name is reserved, or null. */
    static @Nullable String reserved(String queue) {
        if (queue.startsWith("amq.")) {
            return "names starting with amq. belong to the broker";
        }
        if (queue.endsWith(".dlq")) {
            return "dead-letter queues (*.dlq) take only what workers dead-letter; read and replay them at "
                    + "/api/dead-letters";
        }
        if (queue.startsWith("bullpen.delay.")) {
            return "bullpen.delay.* are the workers' delay queues; give countdown or eta instead";
        }
        if (queue.endsWith(".dq2")) {
            return "*.dq2 are workers' own queues; give the worker's name in worker instead";
        }
        if (queue.endsWith(".pidbox") || queue.startsWith("celeryev")) {
            return "*.pidbox and celeryev* are Celery's remote-control and event queues";
        }
        return null;
    }

    /** {@code *} for one or more characters of any kind, as in bullpen.routes; the rest literal. */
    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        int from = 0;
        for (int star = glob.indexOf('*'); star >= 0; star = glob.indexOf('*', from)) {
            if (star > from) {
                regex.append(Pattern.quote(glob.substring(from, star)));
            }
            regex.append(".+");
            from = star + 1;
        }
        if (from < glob.length()) {
            regex.append(Pattern.quote(glob.substring(from)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
