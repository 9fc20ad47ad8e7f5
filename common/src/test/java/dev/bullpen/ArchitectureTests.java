package dev.bullpen;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.bullpen.architecture.BullpenRules;
import org.junit.jupiter.api.Test;

/** common's boundaries: a plain protocol, a client without Spring, no package cycles. */
class ArchitectureTests {

    private static final JavaClasses COMMON = BullpenRules.mainClasses("dev.bullpen");

    @Test
    void theProtocolUsesNeitherSpringNorTheChannelApi() {
        BullpenRules.protocolIsPlain().check(COMMON);
    }

    @Test
    void theClientReachesNoSpring() {
        BullpenRules.clientWithoutSpring().check(COMMON);
    }

    @Test
    void onlyBrokerTopologyDeclares() {
        BullpenRules.topologyHasOneOwner().check(COMMON);
    }

    @Test
    void noPackageCycles() {
        BullpenRules.noPackageCycles().check(COMMON);
    }
}
