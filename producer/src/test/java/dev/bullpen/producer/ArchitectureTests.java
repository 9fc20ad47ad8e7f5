package dev.bullpen.producer;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.bullpen.architecture.BullpenRules;
import org.junit.jupiter.api.Test;

/** The producer uses common's public API only, never the worker's code, and declares through BrokerTopology. */
class ArchitectureTests {

    private static final JavaClasses MAIN = BullpenRules.mainClasses("dev.bullpen.producer");

    @Test
    void noClientInternals() {
        BullpenRules.noClientInternals().check(BullpenRules.allClasses("dev.bullpen.producer"));
    }

    @Test
    void onlyBrokerTopologyDeclares() {
        BullpenRules.topologyHasOneOwner().check(MAIN);
    }

    @Test
    void noWorker() {
        BullpenRules.producerWithoutWorker().check(MAIN);
    }
}
