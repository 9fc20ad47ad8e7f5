package dev.bullpen.worker;

import dev.bullpen.architecture.BullpenRules;
import org.junit.jupiter.api.Test;

/** The worker uses common's public API only. */
class ArchitectureTests {

    @Test
    void noClientInternals() {
        BullpenRules.noClientInternals().check(BullpenRules.allClasses("dev.bullpen.worker"));
    }
}
