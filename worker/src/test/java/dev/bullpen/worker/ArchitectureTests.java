package dev.bullpen.worker;

import dev.bullpen.architecture.BullpenRules;
import org.junit.jupiter.api.Test;

/** The worker uses common's public API only, and declares nothing on the broker but through BrokerTopology. */
class ArchitectureTests {

    @Test
    void onlyBrokerTopologyDeclares() {
        BullpenRules.topologyHasOneOwner().check(BullpenRules.mainClasses("dev.bullpen.worker"));
    }

    @Test
    void noClientInternals() {
        BullpenRules.noClientInternals().check(BullpenRules.allClasses("dev.bullpen.worker"));
    }
}
