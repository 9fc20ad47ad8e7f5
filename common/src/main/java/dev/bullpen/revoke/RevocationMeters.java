package dev.bullpen.revoke;

import dev.bullpen.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The meter both implementations count their dropped revocations on. */
final class RevocationMeters {

    private RevocationMeters() {
    }

    static Counter dropped(MeterRegistry meters) {
        return Counter.builder(MeterNames.REVOCATIONS_DROPPED)
                .description("Revocations dropped, oldest first, to keep within bullpen.revoke.max")
                .register(meters);
    }
}
