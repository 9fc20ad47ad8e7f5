package dev.bullpen.logging;

import ch.qos.logback.classic.PatternLayout;
import java.util.List;

/** Kept apart from {@link LogEscaping} so that no Logback class is loaded where Logback is absent. */
final class LogbackRules {

    /** Logback's conversion words for the message. */
    static final List<String> MESSAGE_WORDS = List.of("m", "msg", "message");

    private LogbackRules() {
    }

    static synchronized void install() {
        for (String word : MESSAGE_WORDS) {
            PatternLayout.DEFAULT_CONVERTER_SUPPLIER_MAP.put(word, EscapedMessageConverter::new);
        }
    }
}
